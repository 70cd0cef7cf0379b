// The header block of a CGI script's output (lib/src/cgi_response.hpp),
// fed at once and in pieces, as the pipe delivers it. Properties:
//   - both end the same way, with the same status, reason, fields and body;
//   - an accepted block was no larger than the limit, has a status of
//     three digits, and its fields are safe to copy into the response: a
//     token for a name, no CR, LF or NUL in a value (the script cannot
//     split the response or add fields of its own making);
//   - the body is exactly what followed the blank line.

#include "fuzz_property.hpp"

#include "cgi_response.hpp"

#include <mockserve/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;
using State = CgiResponseParser::State;

constexpr std::size_t kLimit = 200;

State at_once(CgiResponseParser& parser, std::string_view output) {
    parser.feed(output);
    return parser.finish();
}

State in_pieces(CgiResponseParser& parser, std::string_view output) {
    mockserve::fuzz::PieceLengths lengths(output);
    for (std::size_t fed = 0; fed < output.size();) {
        const auto piece = lengths.next(output.size() - fed);
        parser.feed(output.substr(fed, piece));
        fed += piece;
    }
    return parser.finish();
}

bool is_safe_value(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view output(reinterpret_cast<const char*>(data), size);
    CgiResponseParser whole(kLimit);
    CgiResponseParser pieces(kLimit);
    const auto whole_state = at_once(whole, output);
    const auto pieces_state = in_pieces(pieces, output);
    check_property(whole_state == pieces_state, "the parser ends the same way however the output is split");
    check_property(whole_state != State::need_more, "finish() always decides");
    if (whole_state == State::failed) {
        check_property(!whole.error().empty(), "a refusal says why");
        return 0;
    }
    const auto& head = whole.head();
    check_property(head.status == pieces.head().status && head.reason == pieces.head().reason &&
                       head.fields == pieces.head().fields,
                   "and reads the same status, reason and fields");
    check_property(head.status >= 100 && head.status <= 999, "the status has three digits");
    check_property(is_safe_value(head.reason), "the reason has no CR, LF or NUL");
    std::size_t block = 0;
    for (const auto& [name, value] : head.fields) {
        check_property(is_token(name), "a field name is a token");
        check_property(is_safe_value(value), "a field value has no CR, LF or NUL");
        block += name.size() + value.size();
    }
    check_property(block <= kLimit, "an accepted block is within the limit");
    const std::string body = whole.take_body();
    check_property(body == pieces.take_body(), "and the same body");
    check_property(output.ends_with(body), "the body is what followed the block");
    return 0;
}
