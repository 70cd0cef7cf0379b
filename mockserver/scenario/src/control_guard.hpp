#pragma once
// ControlGuard: which requests the control API refuses, before it reads
// them. Pure: a request's method, headers and token in, a reason out.
//
// The control port is reachable from every web page the user's browser
// opens (a page may send requests to 127.0.0.1), so:
//   - Host must be the control address itself: 127.0.0.1:PORT,
//     localhost:PORT or [::1]:PORT (any name with :PORT when a token is
//     required). A
//     page on another name that resolves to 127.0.0.1 (DNS rebinding)
//     sends its own name.
//   - POST, PUT, DELETE and PATCH change the run: refused when they carry
//     an Origin other than the control address (a page elsewhere), and
//     unless they carry Content-Type: application/json or X-Mockserve: 1,
//     which a plain HTML form cannot send and a script elsewhere cannot
//     send without a CORS preflight, which the API never grants (it sends
//     no CORS headers at all).
//   - With a token (the API bound to an address other than loopback),
//     every request carries it: "Authorization: Bearer TOKEN", or
//     "token=TOKEN" in the query (for a browser's address bar and
//     EventSource, which cannot set headers).
// Every refusal is a 403 whose reason says which rule it broke.

#include <mockserve/headers.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

struct ControlGuard {
    std::uint16_t port = 0;
    std::string token;  // empty: none required (loopback)

    // Why the request is refused; nothing when it may go on.
    // `query_token`: the value of its token= query parameter, if any.
    std::optional<std::string> refusal(std::string_view method, const http::Headers& headers,
                                       std::optional<std::string_view> query_token) const;
};

}  // namespace mockserve::scenario::detail
