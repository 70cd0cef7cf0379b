#include "upstream_url.hpp"

#include <mockserve/headers.hpp>

#include <charconv>
#include <initializer_list>
#include <optional>

namespace mockserve::scenario::detail {

namespace {

// Texts put end to end. (Not "lit" + std::string: GCC 12 at -O3 warns
// falsely about that, -Wrestrict, in a consumer's Release build.)
std::string joined(std::initializer_list<std::string_view> parts) {
    std::string text;
    for (const auto part : parts) text.append(part);
    return text;
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::optional<UpstreamUrl> UpstreamUrl::parse(std::string_view text, std::string& error) {
    UpstreamUrl url;
    const auto scheme_end = text.find("://");
    const auto scheme = scheme_end == std::string_view::npos ? std::string_view() : text.substr(0, scheme_end);
    if (http::iequals(scheme, "https")) {
        url.tls = true;
        url.port = 443;
    } else if (http::iequals(scheme, "http")) {
        url.port = 80;
    } else {
        error = joined({"a proxy URL starts with http:// or https://, not '", text, "'"});
        return std::nullopt;
    }
    auto rest = text.substr(scheme_end + 3);
    const auto path_start = rest.find('/');
    auto authority = rest.substr(0, path_start);
    const auto path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) {
        error = "a proxy URL carries no user name or password (give them with proxy.header = Authorization: ...)";
        return std::nullopt;
    }
    std::optional<std::string_view> port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = joined({"the IPv6 address in '", text, "' has no closing ']'"});
            return std::nullopt;
        }
        url.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') {
            error = joined({"'", after, "' after the IPv6 address of '", text, "'"});
            return std::nullopt;
        }
        if (!after.empty()) port_text = after.substr(1);
        for (const char c : url.host)
            if (!(c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                error = joined({"'", url.host, "' is not an IPv6 address"});
                return std::nullopt;
            }
    } else {
        const auto colon = authority.find(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
        for (const char c : url.host)
            if (!is_host_char(c)) {
                error = joined({"'", url.host, "' is not a host name or address"});
                return std::nullopt;
            }
    }
    if (url.host.empty()) {
        error = joined({"the proxy URL '", text, "' names no host"});
        return std::nullopt;
    }
    if (port_text) {
        unsigned port = 0;
        const auto [end, ec] = std::from_chars(port_text->data(), port_text->data() + port_text->size(), port);
        if (ec != std::errc() || end != port_text->data() + port_text->size() || port == 0 || port > 65535) {
            error = joined({"the port of '", text, "' is not a number from 1 to 65535"});
            return std::nullopt;
        }
        url.port = static_cast<std::uint16_t>(port);
    }
    if (path.find_first_of("?#") != std::string_view::npos) {
        error = "a proxy URL has no query or fragment: each request's own query is forwarded";
        return std::nullopt;
    }
    for (const char c : path)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
            error = joined({"the path of the proxy URL '", text, "' holds white space or a control character"});
            return std::nullopt;
        }
    url.base_path = std::string(path);
    while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
    return url;
}

std::string UpstreamUrl::host_field() const {
    std::string field = host.find(':') != std::string::npos ? joined({"[", host, "]"}) : host;
    if (port != (tls ? 443 : 80)) field.append(":").append(std::to_string(port));
    return field;
}

std::string UpstreamUrl::origin() const {
    std::string text = tls ? "https://" : "http://";
    text.append(host.find(':') != std::string::npos ? joined({"[", host, "]"}) : host);
    text.append(":").append(std::to_string(port));
    return text;
}

std::string origin_form(std::string_view target) {
    if (target.empty() || target.front() == '/' || target == "*") return std::string(target);
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return std::string(target);
    const auto path = target.find_first_of("/?#", scheme_end + 3);
    if (path == std::string_view::npos) return "/";
    return joined({target[path] == '/' ? "" : "/", target.substr(path)});
}

std::string UpstreamUrl::forwarded_target(std::string_view target, std::string_view strip) const {
    const auto origin = origin_form(target);
    target = origin;
    if (target == "*") return base_path.empty() ? "*" : joined({base_path, "/"});
    // Only a whole segment is stripped: /v2 takes /v2/x and /v2, not /v20.
    if (!strip.empty() && target.substr(0, strip.size()) == strip &&
        (target.size() == strip.size() || target[strip.size()] == '/' || target[strip.size()] == '?' || strip.back() == '/'))
        target.remove_prefix(strip.back() == '/' ? strip.size() - 1 : strip.size());
    std::string forwarded = base_path;
    if (target.empty() || target.front() == '?') forwarded.push_back('/');
    forwarded.append(target);
    return forwarded;
}

}  // namespace mockserve::scenario::detail
