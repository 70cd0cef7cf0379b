#include "cgi_environment.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace mockserve::http::detail {

namespace {

std::string variable_name(std::string_view header) {
    std::string name = "HTTP_";
    for (const char c : header) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return name;
}

// base64 of "user:password" to "user", as Python's run_cgi reads Basic auth:
// none unless the decoded text is ASCII with one colon. A NUL is refused too
// (found by cgi_environment_fuzzer: "dXNlcgA6cA==" is "user\0:p"): execve
// would cut the variable short, and Python's child fails on it.
std::optional<std::string> basic_user(std::string_view encoded) {
    static const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string decoded;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : encoded) {
        if (c == '=') break;
        const auto at = alphabet.find(c);
        if (at == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    if (std::any_of(decoded.begin(), decoded.end(), [](char c) { return c == '\0' || (c & 0x80) != 0; }))
        return std::nullopt;
    const auto colon = decoded.find(':');
    if (colon == std::string::npos || decoded.find(':', colon + 1) != std::string::npos) return std::nullopt;
    return decoded.substr(0, colon);
}

// Every variable the server sets, or clears when it has nothing to say
// (HTTPS and SSL_* on a plain request, AUTH_TYPE and REMOTE_USER without
// credentials, CONTENT_TYPE without a body type): none is inherited.
constexpr std::string_view kServerVariables[] = {
    "AUTH_TYPE",       "CONTENT_LENGTH", "CONTENT_TYPE",   "GATEWAY_INTERFACE", "HTTPS",          "PATH_INFO",
    "PATH_TRANSLATED", "QUERY_STRING",   "REMOTE_ADDR",    "REMOTE_HOST",       "REMOTE_USER",    "REQUEST_METHOD",
    "REQUEST_SCHEME",  "SCRIPT_NAME",    "SERVER_NAME",    "SERVER_PORT",       "SERVER_PROTOCOL", "SERVER_SOFTWARE",
    "SSL_CIPHER",      "SSL_CLIENT_S_DN", "SSL_PROTOCOL",  "SSL_TLS_SNI"};

bool is_server_variable(std::string_view name) {
    return std::find(std::begin(kServerVariables), std::end(kServerVariables), name) != std::end(kServerVariables);
}

}  // namespace

CgiEnvironment build_cgi_environment(const CgiRequest& request, const char* const* inherited) {
    CgiEnvironment result;
    auto& variables = result.variables;
    const auto set = [&variables](std::string_view name, std::string_view value) {
        std::string variable;
        variable.reserve(name.size() + 1 + value.size());
        variable.append(name).append(1, '=').append(value);
        variables.push_back(std::move(variable));
    };

    // The server's own variables, each once (the last, should a name come
    // twice), without HTTP_* and without any name the server sets or
    // clears below. Kept as views and copied once: a script starts with
    // some forty of them, and a map of them cost a tenth of the server's
    // CPU per CGI request.
    std::vector<std::string_view> kept;
    for (auto entry = inherited; entry && *entry; ++entry) {
        const std::string_view text(*entry);
        const auto equals = text.find('=');
        if (equals == std::string_view::npos || text.substr(0, 5) == "HTTP_" || is_server_variable(text.substr(0, equals)))
            continue;
        kept.push_back(text);
    }
    const auto name_of = [](std::string_view text) { return text.substr(0, text.find('=')); };
    std::stable_sort(kept.begin(), kept.end(), [&](std::string_view a, std::string_view b) { return name_of(a) < name_of(b); });
    variables.reserve(kept.size() + request.headers->size() + std::size(kServerVariables));
    for (std::size_t i = 0; i < kept.size(); ++i)
        if (i + 1 == kept.size() || name_of(kept[i]) != name_of(kept[i + 1])) variables.emplace_back(kept[i]);

    // Request headers as HTTP_*, which no header can turn into another
    // variable: the server's own HTTP_* are gone, and the CGI variables
    // have no HTTP_ prefix.
    const Headers& headers = *request.headers;
    const std::size_t first_header = variables.size();
    for (const auto& [name, value] : headers) {
        if (iequals(name, "Proxy") || iequals(name, "Authorization") || iequals(name, "Content-Type") ||
            iequals(name, "Content-Length")) {
            continue;
        }
        const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
        if (!plain) {
            result.dropped.push_back(name);
            continue;
        }
        const auto variable = variable_name(name);
        const auto same = std::find_if(variables.begin() + static_cast<std::ptrdiff_t>(first_header), variables.end(),
                                       [&](const std::string& v) { return name_of(v) == variable; });
        if (same == variables.end()) {
            set(variable, value);
        } else {
            same->append(iequals(name, "Accept") ? "," : ", ").append(value);
        }
    }

    set("SERVER_SOFTWARE", request.server_software);
    set("SERVER_NAME", request.server_name);
    set("GATEWAY_INTERFACE", "CGI/1.1");
    set("SERVER_PROTOCOL", request.server_protocol);
    set("SERVER_PORT", std::to_string(request.server_port));
    set("REQUEST_METHOD", request.request_method);
    set("PATH_INFO", request.path_info);
    set("PATH_TRANSLATED", request.path_translated);
    set("SCRIPT_NAME", request.script_name);
    set("QUERY_STRING", request.query_string);
    set("REMOTE_ADDR", request.remote_addr);
    set("REMOTE_HOST", request.remote_addr);  // no name lookup, as RFC 3875 allows
    // TLS as Apache (mod_ssl) and nginx tell it; none of it inherited, so
    // that a plain request never looks secure.
    set("REQUEST_SCHEME", request.tls ? "https" : "http");
    if (const auto* tls = request.tls) {
        set("HTTPS", "on");
        set("SSL_PROTOCOL", tls->version);
        set("SSL_CIPHER", tls->cipher);
        if (!tls->sni.empty()) set("SSL_TLS_SNI", tls->sni);
        if (!tls->client_subject.empty()) set("SSL_CLIENT_S_DN", tls->client_subject);
    }
    if (const auto authorization = headers.get("Authorization")) {
        const std::string_view value = *authorization;
        const auto space = value.find(' ');
        if (space != std::string_view::npos && value.find(' ', space + 1) == std::string_view::npos) {
            const auto scheme = value.substr(0, space);
            set("AUTH_TYPE", scheme);
            if (iequals(scheme, "Basic")) {
                if (const auto user = basic_user(value.substr(space + 1))) set("REMOTE_USER", *user);
            }
        }
    }
    if (const auto type = headers.get("Content-Type")) set("CONTENT_TYPE", *type);
    set("CONTENT_LENGTH", request.content_length ? std::to_string(*request.content_length) : "");
    return result;
}

}  // namespace mockserve::http::detail
