#pragma once
// The environment of a CGI script (RFC 3875 section 4.1). Pure.
//
// The server's own environment is passed on, as Python does, except any
// HTTP_* variable in it (it could pose as a request header). Every request
// header becomes HTTP_<NAME> (upper case, '-' as '_') except:
//   - Proxy, which scripts' HTTP libraries read as a proxy setting
//     (httpoxy, CVE-2016-5385);
//   - Authorization (AUTH_TYPE and REMOTE_USER carry what scripts need),
//     Content-Type and Content-Length (CONTENT_TYPE, CONTENT_LENGTH);
//   - names with anything but letters, digits and '-' (as Apache): "X_User"
//     would take the place of "X-User"'s HTTP_X_USER, and "X*Y" would make a
//     variable no shell can name; dropped and the drop reported.
// Over TLS, HTTPS=on and REQUEST_SCHEME=https as Apache and nginx set them,
// and mod_ssl's SSL_PROTOCOL, SSL_CIPHER, SSL_TLS_SNI, SSL_CLIENT_S_DN.
// A header that comes several times is joined with ", " (Accept with ",",
// as Python does).

#include <mockserve/headers.hpp>
#include <mockserve/tls_facts.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mockserve::http::detail {

struct CgiRequest {
    std::string server_software;
    std::string server_name;
    std::uint16_t server_port = 0;
    std::string server_protocol;
    std::string request_method;
    std::string path_info;
    std::string path_translated;
    std::string script_name;
    std::string query_string;
    std::string remote_addr;
    std::optional<std::uint64_t> content_length;  // unknown for a streamed chunked body
    const Headers* headers = nullptr;
    const TlsFacts* tls = nullptr;  // over TLS: HTTPS=on, REQUEST_SCHEME=https, SSL_*
};

struct CgiEnvironment {
    std::vector<std::string> variables;  // "NAME=value"
    std::vector<std::string> dropped;    // header names left out, for the log
};

// `inherited`: the server's environment (environ), null-terminated.
CgiEnvironment build_cgi_environment(const CgiRequest& request, const char* const* inherited);

}  // namespace mockserve::http::detail
