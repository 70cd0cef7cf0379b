// The chunked decoder (lib/src/chunked_decoder.hpp), fed a body twice: at
// once into a buffer that holds everything, and in pieces of fuzzer-chosen
// sizes into a small buffer, as a session feeds it. Properties:
//   - both end the same way: done at the same input position with the same
//     body, or refused with the same status, or both waiting for more;
//   - the decoded body is never larger than the input, nor than the limit;
//   - a refusal is 400, or 413 over max_body_size.

#include "fuzz_property.hpp"

#include "chunked_decoder.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace mockserve::http;
using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

Limits small_limits() {
    Limits limits;
    limits.max_chunk_line = 16;
    limits.max_trailer_bytes = 48;
    limits.max_body_size = 600;
    return limits;
}

struct Outcome {
    bool done = false;
    bool failed = false;
    int status = 0;
    std::size_t consumed = 0;  // input bytes taken up to the end of the body
    std::string body;
};

Outcome decode_at_once(std::string_view input, const Limits& limits) {
    ChunkedDecoder decoder(limits);
    Outcome outcome;
    std::string out(input.size() + 1, '\0');
    while (!decoder.done() && !decoder.failed()) {
        const auto step = decoder.decode(input.substr(outcome.consumed), out.data(), out.size());
        outcome.consumed += step.consumed;
        outcome.body.append(out.data(), step.produced);
        if (step.consumed == 0 && step.produced == 0) break;  // waits for input it will never get
    }
    outcome.done = decoder.done();
    outcome.failed = decoder.failed();
    if (outcome.failed) outcome.status = decoder.error().status;
    check_property(decoder.decoded_size() == outcome.body.size(), "decoded_size() counts what was produced");
    return outcome;
}

Outcome decode_in_pieces(std::string_view input, const Limits& limits) {
    ChunkedDecoder decoder(limits);
    Outcome outcome;
    mockserve::fuzz::PieceLengths lengths(input);
    std::string pending;  // what the decoder left, as a session's buffer keeps it
    char out[64];
    std::size_t fed = 0;
    while (fed < input.size() && !decoder.done() && !decoder.failed()) {
        const auto piece = lengths.next(input.size() - fed);
        pending.append(input.substr(fed, piece));
        fed += piece;
        while (!decoder.done() && !decoder.failed()) {
            const auto step = decoder.decode(pending, out, lengths.next(sizeof out));
            pending.erase(0, step.consumed);
            outcome.consumed += step.consumed;
            outcome.body.append(out, step.produced);
            if (step.consumed == 0 && step.produced == 0) break;
        }
    }
    outcome.done = decoder.done();
    outcome.failed = decoder.failed();
    if (outcome.failed) outcome.status = decoder.error().status;
    return outcome;
}

void check_input(std::string_view input, const Limits& limits) {
    const auto whole = decode_at_once(input, limits);
    const auto pieces = decode_in_pieces(input, limits);
    check_property(whole.done == pieces.done && whole.failed == pieces.failed,
                   "the decoder ends the same way however the input is split");
    if (whole.failed) {
        check_property(whole.status == pieces.status, "and refuses with the same status");
        check_property(whole.status == 400 || whole.status == 413, "a refusal is 400 or 413");
        return;
    }
    check_property(whole.body.size() <= input.size() && whole.body.size() <= limits.max_body_size,
                   "the body is no larger than the input or the limit");
    if (whole.done) {
        check_property(whole.body == pieces.body, "and decodes the same body");
        check_property(whole.consumed == pieces.consumed, "and ends the body at the same byte");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Limits small = small_limits();
    static const Limits defaults;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_input(input, small);
    check_input(input, defaults);
    return 0;
}
