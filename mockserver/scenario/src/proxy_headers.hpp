#pragma once
// The header fields a proxy route sends upstream and back, by RFC 9110's
// rules for an intermediary (section 7.6). Pure.
//
// Towards the upstream:
//   - hop-by-hop fields are dropped: Connection and every field it names,
//     Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, and any Proxy-*
//     (Proxy-Authorization is the client's credential for this hop);
//   - Host is the upstream's; Content-Length and Expect are dropped (the
//     proxy frames the body itself, and answered 100-continue itself);
//   - Via gets "1.1 mockserve" (the protocol the client spoke);
//   - X-Forwarded-For gets the client's address appended (a list that
//     came in is kept), X-Forwarded-Proto is set to the client's scheme,
//     X-Forwarded-Host to the Host the client sent;
//   - each proxy.header replaces the client's fields of its name.
// Back to the client: the same hop-by-hop fields are dropped (and
// Proxy-Connection), everything else is kept in order (Date, Server and
// Content-Length included), and Via is added.

#include <mockserve/scenario/scenario.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario::detail {

struct ForwardingFacts {
    std::string_view client_address;     // "127.0.0.1"
    bool client_tls = false;             // the client reached the proxy over HTTPS
    std::string_view client_version;     // "HTTP/1.1"
    std::string_view upstream_host;      // the Host field for the upstream
    const std::vector<Field>* extra = nullptr;  // proxy.header
};

std::vector<Field> upstream_request_fields(const std::vector<Field>& client, const ForwardingFacts& facts);
// `version`: the upstream's, for Via ("1.1", "1.0").
std::vector<Field> client_response_fields(const std::vector<Field>& upstream, std::string_view version);

// "1.1 mockserve": what Via gets for a message received over `version`.
std::string via_entry(std::string_view version);

}  // namespace mockserve::scenario::detail
