#pragma once
// What a TLS port answers a client that speaks plain HTTP to it (the rules
// nginx follows, and a little more help).
//
// Rules:
//   - A TLS connection's first byte is a record type (22, a handshake); a
//     plain HTTP request's is the first letter of its method, an upper-case
//     ASCII letter. Only the latter is answered; any other byte is left to
//     the TLS handshake, which refuses it with an alert.
//   - The answer is a complete HTTP/1.1 400 with "Connection: close", in
//     plain text, that names the mistake as nginx does ("The plain HTTP
//     request was sent to HTTPS port") and, when the request's Host field is
//     plain printable text, the https:// address to use instead.

#include <string>
#include <string_view>

namespace mockserve::http::detail {

bool looks_like_plain_http(unsigned char first_byte);
// `received`: what the client sent, as far as it has arrived.
std::string plain_http_refusal(std::string_view received);

}  // namespace mockserve::http::detail
