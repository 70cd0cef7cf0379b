#include "proxy_headers.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <algorithm>
#include <array>

namespace mockserve::scenario::detail {

namespace {

constexpr std::array<std::string_view, 6> kHopByHop = {"Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding",
                                                       "Upgrade"};

// The fields Connection names, lower-cased: they are this hop's too.
std::vector<std::string> named_by_connection(const std::vector<Field>& fields) {
    std::vector<std::string> names;
    for (const auto& [name, value] : fields) {
        if (!http::iequals(name, "Connection")) continue;
        http::detail::any_list_element(value, [&](std::string_view token) {
            names.push_back(http::detail::to_lower_ascii(token));
            return false;
        });
    }
    return names;
}

bool hop_by_hop(std::string_view name, const std::vector<std::string>& named) {
    for (const auto hop : kHopByHop)
        if (http::iequals(name, hop)) return true;
    const auto lower = http::detail::to_lower_ascii(name);
    return std::find(named.begin(), named.end(), lower) != named.end();
}

}  // namespace

std::string via_entry(std::string_view version) {
    auto number = version.substr(0, 5) == "HTTP/" ? version.substr(5) : version;
    return std::string(number) + " mockserve";
}

std::vector<Field> upstream_request_fields(const std::vector<Field>& client, const ForwardingFacts& facts) {
    const auto named = named_by_connection(client);
    const auto replaced = [&](std::string_view name) {
        if (!facts.extra) return false;
        return std::any_of(facts.extra->begin(), facts.extra->end(), [&](const Field& f) { return http::iequals(f.first, name); });
    };
    std::vector<Field> out;
    out.emplace_back("Host", std::string(facts.upstream_host));
    std::string forwarded_for, client_host;
    for (const auto& [name, value] : client) {
        if (hop_by_hop(name, named) || http::iequals(name.substr(0, 6), "Proxy-") || http::iequals(name, "Host") ||
            http::iequals(name, "Content-Length") || http::iequals(name, "Expect") || replaced(name))
            continue;
        if (http::iequals(name, "X-Forwarded-For")) {
            forwarded_for.append(forwarded_for.empty() ? "" : ", ").append(value);
            continue;
        }
        if (http::iequals(name, "X-Forwarded-Proto") || http::iequals(name, "X-Forwarded-Host")) continue;
        out.emplace_back(name, value);
    }
    for (const auto& [name, value] : client)
        if (http::iequals(name, "Host")) client_host = value;
    if (facts.extra) out.insert(out.end(), facts.extra->begin(), facts.extra->end());
    out.emplace_back("Via", via_entry(facts.client_version));
    forwarded_for.append(forwarded_for.empty() ? "" : ", ").append(facts.client_address);
    out.emplace_back("X-Forwarded-For", std::move(forwarded_for));
    out.emplace_back("X-Forwarded-Proto", facts.client_tls ? "https" : "http");
    if (!client_host.empty()) out.emplace_back("X-Forwarded-Host", std::move(client_host));
    return out;
}

std::vector<Field> client_response_fields(const std::vector<Field>& upstream, std::string_view version) {
    const auto named = named_by_connection(upstream);
    std::vector<Field> out;
    for (const auto& field : upstream)
        if (!hop_by_hop(field.first, named) && !http::iequals(field.first, "Proxy-Connection")) out.push_back(field);
    out.emplace_back("Via", via_entry(version));
    return out;
}

}  // namespace mockserve::scenario::detail
