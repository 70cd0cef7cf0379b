#include "control_guard.hpp"

#include <mockserve/detail/text.hpp>

namespace mockserve::scenario::detail {

namespace {

// Compares in a time that does not depend on where the texts differ.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char differ = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return differ == 0;
}

bool changes_state(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

// "localhost:8080" is the control address on port 8080; with `any_name`, so
// is "NAME:8080".
bool names_control(std::string_view host, std::uint16_t port, bool any_name) {
    std::string suffix(1, ':');
    suffix.append(std::to_string(port));
    if (host.size() <= suffix.size() || host.substr(host.size() - suffix.size()) != suffix) return false;
    const auto name = host.substr(0, host.size() - suffix.size());
    return any_name || name == "127.0.0.1" || name == "[::1]" || http::iequals(name, "localhost");
}

}  // namespace

std::optional<std::string> ControlGuard::refusal(std::string_view method, const http::Headers& headers,
                                                 std::optional<std::string_view> query_token) const {
    const auto host = headers.get("Host");
    if (!host || headers.count("Host") != 1)
        return "a control request names the control address in one Host field (127.0.0.1:" + std::to_string(port) + ")";
    if (!names_control(*host, port, !token.empty()))
        return "Host " + std::string(*host) + " is not the control address (127.0.0.1:" + std::to_string(port) +
               " or localhost:" + std::to_string(port) + "): refused, as a page on another name could send it";
    if (!token.empty()) {
        const auto authorization = headers.get("Authorization");
        const bool given = (authorization && authorization->substr(0, 7) == "Bearer " &&
                            same_secret(authorization->substr(7), token)) ||
                           (query_token && same_secret(*query_token, token));
        if (!given)
            return std::string("this control API is bound beyond the loopback address: every request carries the "
                               "run's token (Authorization: Bearer TOKEN, or token=TOKEN in the query)");
    }
    if (!changes_state(method)) return std::nullopt;
    if (const auto origin = headers.get("Origin")) {
        const auto scheme = std::string_view("http://");
        if (origin->substr(0, scheme.size()) != scheme || !names_control(origin->substr(scheme.size()), port, !token.empty()) ||
            origin->substr(scheme.size()) != *host)
            return "Origin " + std::string(*origin) + " is not the control page's: a page elsewhere cannot change the run";
    }
    const auto type = headers.get("Content-Type");
    const bool json = type && http::iequals(http::detail::trim_ows(type->substr(0, type->find(';'))), "application/json");
    const auto custom = headers.get("X-Mockserve");
    if (!json && !(custom && http::detail::trim_ows(*custom) == "1"))
        return std::string(method) + " changes the run: it carries Content-Type: application/json or X-Mockserve: 1 "
                                     "(which a plain HTML form cannot send)";
    return std::nullopt;
}

}  // namespace mockserve::scenario::detail
