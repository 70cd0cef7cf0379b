#pragma once
// The request head: finding its end in the input and parsing it, strictly.
//
// Pure functions of bytes, no sockets, so that every rule is tested and
// fuzzed directly. The rules (RFC 9112, sections 2 to 5):
//   - lines end in CRLF or a lone LF; a CR anywhere else is an error;
//   - empty lines before the request line are skipped (at most 8);
//   - request line: method SP target SP version, single spaces; the method
//     a token; the target visible characters (bytes above 0x7F allowed);
//     the version HTTP/DIGIT.DIGIT; 2.0 and above (and 0.x) answer 505;
//   - a field: token ':' OWS value OWS; no white space before the colon;
//     no obs-fold; no control characters but HTAB in the value;
//   - HTTP/1.1 needs exactly one Host field, HTTP/1.0 at most one; its value
//     is uri-host [ ":" port ] or empty (section 3.2);
//   - the target is origin-form ("/a"), absolute-form ("http://h/a", turned
//     into origin-form with its authority as Host), authority-form for
//     CONNECT, or "*" for OPTIONS (section 3.2);
//   - a request line without a version (HTTP/0.9) ends the head at once: no
//     header block can follow it.

#include "http_error.hpp"

#include <mockserve/headers.hpp>
#include <mockserve/limits.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace mockserve::http::detail {

struct RequestHead {
    std::string_view request_line;  // into the text parsed: valid while it is
    std::string method;
    std::string target;
    std::string version;  // "HTTP/1.1"
    int major = 1;
    int minor = 1;
    Headers headers;
};

// Where a complete head lies in the buffered input.
struct HeadExtent {
    std::size_t begin = 0;  // after skipped empty lines
    std::size_t end = 0;    // after the blank line that ends the head
};

// Finds the end of a request head as bytes arrive, looking at each byte once.
class HeadScanner {
public:
    explicit HeadScanner(const Limits& limits) : limits_(&limits) {}

    enum class State { need_more, complete, failed };
    // `input` is everything buffered for this request so far (it only grows
    // between calls until reset()).
    State scan(std::string_view input);
    const HeadExtent& extent() const { return extent_; }
    const HttpError& error() const { return error_; }
    // Whether any byte of a request has arrived (empty lines do not count).
    bool started() const { return begin_found_; }
    void reset();

private:
    State fail(int status, std::string message);

    const Limits* limits_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    std::size_t lines_ = 0;
    std::size_t empty_lines_ = 0;
    bool begin_found_ = false;
    HeadExtent extent_;
    HttpError error_;
};

// Parses `head` into `parsed`, every field of which it sets (a head kept
// from one request to the next keeps its strings' room); the error when the
// head is refused (`parsed` then holds nothing to rely on). The common head
// goes the one-pass way below; any other, by the rules above.
std::optional<HttpError> parse_request_head(std::string_view head, const Limits& limits, RequestHead& parsed);

// The two ways, apart, so that tests and the fuzzer hold them to each other.
//
// The one pass: the head most clients send (method SP origin-form target SP
// HTTP/1.x, then fields of a token, a colon and a plain value, every line
// ending in CRLF or LF, within the limits, Host as the rules ask) is read
// in one walk over its bytes, a table lookup per byte. True only when the
// rules would accept the head and read the same fields from it; false for
// anything else (an absolute-form target, a refusal...), which the rules
// then read and word.
bool parse_common_request_head(std::string_view head, const Limits& limits, RequestHead& parsed);
// Every head, by the rules stated at the top of this file.
std::optional<HttpError> parse_request_head_by_the_rules(std::string_view head, const Limits& limits,
                                                         RequestHead& parsed);
// The same, into a new head (for tests and fuzzers).
std::variant<RequestHead, HttpError> parse_request_head(std::string_view head, const Limits& limits);

// What can be read of a request line the parser refused, for the record of
// the refusal: the first word as the method, what lies between the first
// and the last space as the target (empty when there are not two spaces).
struct RequestLineWords {
    std::string_view method;
    std::string_view target;
};
RequestLineWords split_refused_request_line(std::string_view line);

}  // namespace mockserve::http::detail
