#pragma once
// HTTP/2 messages as the handlers' HTTP/1.1 shapes see them: pure rules, no
// sockets, no nghttp2 (which does the framing, HPACK and stream states).
//
//   - A connection speaks HTTP/2 from its first bytes when they are the
//     client preface (RFC 9113 §3.4: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").
//   - A request's pseudo-header fields become the handler's fields: :method
//     is `command`, :path is `path`, :authority becomes a Host field when the
//     request has none (RFC 9113 §8.3.1); split Cookie fields are joined
//     with "; " (§8.2.3). request_version is "HTTP/2.0".
//   - A response head that handler code wrote in HTTP/1.1 form ("HTTP/1.0
//     200 OK\r\nName: value\r\n...") becomes a :status and lower-case
//     fields; the connection-specific fields HTTP/2 forbids (Connection,
//     Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade; §8.2.2) are
//     dropped, since the handler wrote them for HTTP/1.1.
//   - HTTP2-Settings of an "Upgrade: h2c" request is base64url without
//     padding (RFC 7540 §3.2.1).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::http::detail {

inline constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

enum class PrefaceCheck { yes, no, need_more };
// Whether the first bytes of a connection are HTTP/2's client preface.
PrefaceCheck check_http2_preface(std::string_view first_bytes);

// The decoded HTTP2-Settings payload; nothing when it is not base64url.
std::optional<std::string> decode_base64url(std::string_view text);

// Whether `name` may not appear in an HTTP/2 message (compared case-insensitively).
bool is_connection_specific(std::string_view name);

struct Http2Head {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> fields;  // lower-case names, HTTP/2's rules applied
    std::optional<std::uint64_t> content_length;
};

// The fields of an HTTP/1.x head written by handler code (the status line,
// then "Name: value" lines, each ending in CRLF; a final blank line, if
// any, ends it). Nothing when the status line is not "HTTP/x.y NNN ...".
std::optional<Http2Head> http2_head_from_http1(std::string_view text);

// A whole HTTP/1.x response written raw (a handler's wfile before any
// head): its head, and where its body begins in `raw`. Nothing while the
// head is incomplete or malformed.
std::optional<std::pair<Http2Head, std::size_t>> split_raw_response(std::string_view raw);

}  // namespace mockserve::http::detail
