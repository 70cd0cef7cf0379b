#include "cgi_environment.hpp"

#include <algorithm>
#include <map>
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

}  // namespace

CgiEnvironment build_cgi_environment(const CgiRequest& request, const char* const* inherited) {
    std::map<std::string, std::string> env;
    for (auto entry = inherited; entry && *entry; ++entry) {
        const std::string_view text(*entry);
        const auto equals = text.find('=');
        if (equals == std::string_view::npos || text.substr(0, 5) == "HTTP_") continue;
        env[std::string(text.substr(0, equals))] = std::string(text.substr(equals + 1));
    }
    CgiEnvironment result;
    const Headers& headers = *request.headers;

    // Request headers first, so that no header can set a CGI variable.
    std::map<std::string, std::string> from_headers;
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
        auto [it, inserted] = from_headers.emplace(variable, value);
        if (!inserted) it->second += (iequals(name, "Accept") ? "," : ", ") + value;
    }
    for (auto& [name, value] : from_headers) env[name] = std::move(value);

    env["SERVER_SOFTWARE"] = request.server_software;
    env["SERVER_NAME"] = request.server_name;
    env["GATEWAY_INTERFACE"] = "CGI/1.1";
    env["SERVER_PROTOCOL"] = request.server_protocol;
    env["SERVER_PORT"] = std::to_string(request.server_port);
    env["REQUEST_METHOD"] = request.request_method;
    env["PATH_INFO"] = request.path_info;
    env["PATH_TRANSLATED"] = request.path_translated;
    env["SCRIPT_NAME"] = request.script_name;
    env["QUERY_STRING"] = request.query_string;
    env["REMOTE_ADDR"] = request.remote_addr;
    env["REMOTE_HOST"] = request.remote_addr;  // no name lookup, as RFC 3875 allows
    // TLS as Apache (mod_ssl) and nginx tell it; none of it inherited, so
    // that a plain request never looks secure.
    for (const char* name : {"HTTPS", "SSL_PROTOCOL", "SSL_CIPHER", "SSL_TLS_SNI", "SSL_CLIENT_S_DN"}) env.erase(name);
    env["REQUEST_SCHEME"] = request.tls ? "https" : "http";
    if (const auto* tls = request.tls) {
        env["HTTPS"] = "on";
        env["SSL_PROTOCOL"] = tls->version;
        env["SSL_CIPHER"] = tls->cipher;
        if (!tls->sni.empty()) env["SSL_TLS_SNI"] = tls->sni;
        if (!tls->client_subject.empty()) env["SSL_CLIENT_S_DN"] = tls->client_subject;
    }
    env.erase("AUTH_TYPE");
    env.erase("REMOTE_USER");
    if (const auto authorization = headers.get("Authorization")) {
        const std::string_view value = *authorization;
        const auto space = value.find(' ');
        if (space != std::string_view::npos && value.find(' ', space + 1) == std::string_view::npos) {
            const auto scheme = value.substr(0, space);
            env["AUTH_TYPE"] = std::string(scheme);
            if (iequals(scheme, "Basic")) {
                if (const auto user = basic_user(value.substr(space + 1))) env["REMOTE_USER"] = *user;
            }
        }
    }
    env.erase("CONTENT_TYPE");
    if (const auto type = headers.get("Content-Type")) env["CONTENT_TYPE"] = std::string(*type);
    env["CONTENT_LENGTH"] = request.content_length ? std::to_string(*request.content_length) : "";

    for (auto& [name, value] : env) result.variables.push_back(name + "=" + value);
    return result;
}

}  // namespace mockserve::http::detail
