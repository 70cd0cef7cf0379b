#pragma once
// Framing: how long the request body is, decided from the parsed head, or
// why the head cannot be trusted (RFC 9112 section 6). Beast 1.81's parser
// lets several of these through; an ambiguous length is how requests are
// smuggled, so each is refused, and the connection closed after the answer:
//   - Content-Length together with Transfer-Encoding (either order): 400;
//   - Transfer-Encoding on an HTTP/1.0 request: 400;
//   - a transfer coding that is not registered (xchunked, identity), or one
//     with parameters (chunked;q=1): 501, as the server cannot undo it;
//   - Transfer-Encoding whose last coding is not chunked, or chunked twice: 400;
//     another coding before chunked (gzip, chunked): 501;
//   - a Content-Length that is not 1*DIGIT (+5, -1, 0x10, 1_0, empty), too
//     large for 64 bits, or several that differ: 400 (equal repeats are one);
//   - a length above Limits::max_body_size: 413.

#include "http_error.hpp"
#include "request_head.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace mockserve::http::detail {

struct BodyFraming {
    enum class Kind { none, length, chunked };
    Kind kind = Kind::none;
    std::uint64_t length = 0;  // for Kind::length
};

std::variant<BodyFraming, HttpError> check_framing(const RequestHead& head, const Limits& limits);

}  // namespace mockserve::http::detail
