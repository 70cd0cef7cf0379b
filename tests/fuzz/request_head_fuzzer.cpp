// The request head and its framing (lib/src/request_head.hpp, framing.hpp),
// fed raw bytes. Properties:
//   - HeadScanner finds the same end (or the same refusal) whether the bytes
//     arrive at once or in pieces;
//   - a head it finds parses to a request that obeys the rules stated in
//     request_head.hpp, or to one of the documented refusals;
//   - the framing of a parsed head is no body, one Content-Length, or
//     chunked, never two of them, or a documented refusal;
//   - a head the one-pass reader accepts, the rules accept, and both read
//     the same request from it.

#include "fuzz_property.hpp"

#include "framing.hpp"
#include "request_head.hpp"

#include <mockserve/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace mockserve::http;
using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

// Small enough that the fuzzer reaches every limit; the defaults once, too.
Limits small_limits() {
    Limits limits;
    limits.max_request_line = 64;
    limits.max_header_bytes = 256;
    limits.max_header_count = 6;
    limits.max_body_size = 1000;
    return limits;
}

bool is_visible(std::string_view text) {
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) return false;
    }
    return !text.empty();
}

bool is_field_value(std::string_view value) {
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return value == trim_ows(value);
}

void check_refusal(const HttpError& error) {
    const int s = error.status;
    check_property(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505,
                   "a refused head gets 400, 413, 414, 431, 501 or 505");
}

void check_head(const RequestHead& head, const Limits& limits) {
    check_property(is_token(head.method), "the method is a token");
    check_property(head.version.size() == 8 && head.version.starts_with("HTTP/") && head.major == 1 &&
                       head.version[5] == '1' && head.version[6] == '.' && head.version[7] - '0' == head.minor,
                   "the version is HTTP/1.x and major and minor agree with it");
    check_property(is_visible(head.target), "the target is visible characters");
    const bool origin = head.target.front() == '/';
    const bool asterisk = head.method == "OPTIONS" && head.target == "*";
    const bool authority = head.method == "CONNECT" && head.target.find('/') == std::string::npos;
    check_property(origin || asterisk || authority,
                   "the target is origin-form, or '*' for OPTIONS, or authority-form for CONNECT");
    // An absolute-form target's authority becomes the Host field, which an
    // HTTP/1.0 request may not have sent: one more than the client's.
    const bool absolute_form = head.request_line.find(" " + head.target + " ") == std::string::npos;
    check_property(head.headers.size() <= limits.max_header_count + (absolute_form ? 1 : 0),
                   "no more fields than max_header_count");
    for (const auto& [name, value] : head.headers) {
        check_property(is_token(name), "a field name is a token");
        check_property(is_field_value(value), "a field value has no control character and no white space around it");
    }
    if (head.minor >= 1) check_property(head.headers.count("Host") == 1, "an HTTP/1.1 (or 1.x) request has exactly one Host");
    else check_property(head.headers.count("Host") <= 1, "an HTTP/1.0 request has at most one Host");
}

void check_framing_of(const RequestHead& head, const Limits& limits) {
    const auto framing = check_framing(head, limits);
    if (const auto* error = std::get_if<HttpError>(&framing)) {
        check_property(error->status == 400 || error->status == 413 || error->status == 501,
                       "a refused framing gets 400, 413 or 501");
        return;
    }
    const auto& body = std::get<BodyFraming>(framing);
    const bool has_length = head.headers.contains("Content-Length");
    const bool has_coding = head.headers.contains("Transfer-Encoding");
    check_property(!(has_length && has_coding), "Content-Length with Transfer-Encoding is never accepted");
    // Every Content-Length element ("5" or "5, 5") says the same length.
    std::optional<std::uint64_t> said;
    for (const auto value : head.headers.get_all("Content-Length")) {
        any_list_element(value, [&](std::string_view element) {
            const auto length = parse_decimal(element);
            check_property(length.has_value() && (!said || said == length), "Content-Length elements agree");
            said = length;
            return false;
        });
    }
    switch (body.kind) {
        case BodyFraming::Kind::none:
            check_property(!has_coding && said.value_or(0) == 0, "no body: no Transfer-Encoding, no length but 0");
            break;
        case BodyFraming::Kind::length:
            check_property(said == body.length && body.length > 0 && body.length <= limits.max_body_size,
                           "a length is what Content-Length says, within the limit");
            break;
        case BodyFraming::Kind::chunked:
            check_property(has_coding && head.minor >= 1, "chunked only from an HTTP/1.1 (or 1.x) Transfer-Encoding");
            break;
    }
}

void check_input(std::string_view input, const Limits& limits) {
    HeadScanner whole(limits);
    const auto whole_state = whole.scan(input);

    // The same bytes in pieces, the buffer growing as a session's does.
    HeadScanner pieces(limits);
    mockserve::fuzz::PieceLengths lengths(input);
    auto piece_state = HeadScanner::State::need_more;
    for (std::size_t fed = 0; fed < input.size() && piece_state == HeadScanner::State::need_more;) {
        fed += lengths.next(input.size() - fed);
        piece_state = pieces.scan(input.substr(0, fed));
    }
    check_property(piece_state == whole_state, "the scanner's verdict does not depend on how the bytes arrived");
    if (whole_state == HeadScanner::State::failed) {
        check_property(pieces.error().status == whole.error().status, "nor does the status of a refusal");
        check_refusal(whole.error());
        return;
    }
    if (whole_state != HeadScanner::State::complete) return;
    const auto extent = whole.extent();
    check_property(pieces.extent().begin == extent.begin && pieces.extent().end == extent.end,
                   "nor where the head lies");
    check_property(extent.begin <= extent.end && extent.end <= input.size(), "the head lies inside the input");

    const auto text = input.substr(extent.begin, extent.end - extent.begin);
    if (RequestHead common; parse_common_request_head(text, limits, common)) {
        RequestHead ruled;
        check_property(!parse_request_head_by_the_rules(text, limits, ruled),
                       "a head the one pass accepts, the rules accept");
        check_property(common.request_line == ruled.request_line && common.method == ruled.method &&
                           common.target == ruled.target && common.version == ruled.version &&
                           common.major == ruled.major && common.minor == ruled.minor &&
                           common.headers.fields() == ruled.headers.fields(),
                       "and the two read the same request");
    }
    const auto parsed = parse_request_head(text, limits);
    if (const auto* error = std::get_if<HttpError>(&parsed)) return check_refusal(*error);
    const auto& head = std::get<RequestHead>(parsed);
    check_head(head, limits);
    check_framing_of(head, limits);
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
