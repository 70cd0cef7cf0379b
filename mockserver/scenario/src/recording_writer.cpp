#include "recording_writer.hpp"

#include "scenario_writer.hpp"
#include "time_text.hpp"
#include "upstream_url.hpp"
#include "utf8.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>
#include <mockserve/responses.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace mockserve::scenario::detail {

namespace {

constexpr std::size_t kInlineBody = 1024;
constexpr std::string_view kRedacted = "REDACTED";

// What makes two requests the same for the replay: exactly their conditions.
struct Conditions {
    RequestPattern pattern;
    std::string key;
    std::size_t count = 0;  // how many conditions: more come first
};

bool fits_inline(const std::string& body) {
    if (body.size() > kInlineBody || !valid_utf8(body)) return false;
    if (body.find_first_of(std::string_view("\r\n\t\0", 4)) != std::string::npos) return false;
    if (body.front() == ' ' || body.back() == ' ' || body.find(" # ") != std::string::npos) return false;
    return std::none_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool fits_a_value(const std::string& text) {
    return !text.empty() && text.size() <= 8192 && valid_utf8(text) && text.find_first_of("\r\n") == std::string::npos &&
           text.front() != ' ' && text.back() != ' ' && text.find(" # ") == std::string::npos;
}

std::optional<std::string> header_value(const std::vector<Field>& fields, std::string_view name) {
    for (const auto& [n, v] : fields)
        if (http::iequals(n, name)) return v;
    return std::nullopt;
}

// An expression (ECMAScript) that matches `text` and nothing else, written
// so that one INI line holds it: no white space, no control character.
std::string exactly(std::string_view text) {
    std::string out = "^";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= ' ' || byte == 0x7f) {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
            out.append(escaped);
        } else {
            if (std::string_view("\\^$.|?*+()[]{}/#").find(c) != std::string_view::npos) out.push_back('\\');
            out.push_back(c);
        }
    }
    return out + "$";
}

Conditions conditions_of(const ProxiedExchange& e, const Proxy& settings) {
    Conditions c;
    c.pattern.methods = {e.method};
    const auto target = origin_form(e.target);
    const auto path = http::detail::unquote(http::detail::path_part(target));
    // An exact path when one INI line gives it back as it is; else an expression that matches it alone.
    const bool plain = fits_a_value(path) && path.back() != '*';
    c.pattern.path = plain ? PathPattern{PathPattern::Kind::exact, path, nullptr} : PathPattern::parse("~ " + exactly(path));
    c.key = e.method + " " + path;
    for (auto& [name, value] : http::detail::parse_query(target)) {
        c.key.append("\n?").append(name).append("=").append(value);
        c.pattern.query.emplace_back(std::move(name), std::move(value));
    }
    for (const auto& wanted : settings.record_headers) {
        const auto value = header_value(e.request_headers, wanted);
        if (!value) continue;
        std::optional<std::string> condition = *value;
        if (is_secret_header(wanted) && !settings.record_secrets) condition.reset();  // present, whatever it was
        if (condition && !fits_a_value(*condition)) continue;
        c.key.append("\nH").append(http::detail::to_lower_ascii(wanted)).append(": ").append(condition.value_or("*"));
        c.pattern.headers.emplace_back(wanted, condition);
    }
    if (!e.request_body.empty()) {
        if (auto json = canonical_json(e.request_body)) {
            c.key.append("\nJ").append(*json);
            c.pattern.json = std::move(json);
        } else if (fits_a_value(e.request_body)) {
            c.key.append("\nB").append(e.request_body);
            c.pattern.body = e.request_body;
        }
    }
    c.count = c.pattern.query.size() + c.pattern.headers.size() + (c.pattern.json || c.pattern.body ? 1 : 0);
    return c;
}

// The response as the replay gives it; two are equal when these are.
CannedResponse response_of(const ProxiedExchange& e, const Proxy& settings) {
    CannedResponse r;
    r.status = e.status;
    const auto* known = http::default_responses().count(e.status) ? &http::default_responses().at(e.status) : nullptr;
    if (!known || known->first != e.reason) r.reason = e.reason;
    for (const auto& [name, value] : e.response_headers) {
        if (http::iequals(name, "Date")) continue;
        r.headers.emplace_back(name, is_secret_header(name) && !settings.record_secrets ? std::string(kRedacted) : value);
    }
    if (e.response_chunked) r.headers.emplace_back("Transfer-Encoding", "chunked");
    r.body = e.response_body;
    return r;
}

bool same_response(const CannedResponse& a, const CannedResponse& b) {
    return a.status == b.status && a.reason == b.reason && a.headers == b.headers && a.body == b.body;
}

// "get-v1-users-42": the method and the path's last segments, for names.
std::string slug(const std::string& method, const std::string& path) {
    std::string out = http::detail::to_lower_ascii(method);
    bool dash = true;
    std::string tail;
    for (const char c : path) {
        const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (word) {
            if (dash) tail.push_back('-');
            tail.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
        }
        dash = !word;
    }
    if (tail.size() > 40) {
        tail = tail.substr(tail.size() - 40);
        if (const auto dash_at = tail.find('-'); dash_at != std::string::npos) tail = tail.substr(dash_at);
    }
    return out + (tail.empty() ? "-root" : tail);
}

std::string extension_for(const CannedResponse& r) {
    std::string type;
    for (const auto& [name, value] : r.headers)
        if (http::iequals(name, "Content-Type")) type = http::detail::to_lower_ascii(value);
    if (type.find("json") != std::string::npos) return ".json";
    if (type.find("html") != std::string::npos) return ".html";
    if (type.find("xml") != std::string::npos) return ".xml";
    if (type.find("event-stream") != std::string::npos) return ".events";
    if (type.rfind("text/", 0) == 0) return ".txt";
    return ".bin";
}

}  // namespace

bool is_secret_header(std::string_view name) {
    return http::iequals(name, "Authorization") || http::iequals(name, "Cookie") || http::iequals(name, "Set-Cookie") ||
           http::iequals(name, "Proxy-Authorization");
}

RecordingText write_recording(const std::string& server, const std::vector<ProxiedExchange>& exchanges,
                              const Proxy& settings, std::size_t first, const std::string& body_dir) {
    // Distinct requests in the order first seen, each with its responses in order.
    struct Distinct {
        Conditions conditions;
        std::string method, path;
        std::vector<CannedResponse> responses;
        std::size_t group = 0;  // the first-seen place of its method and path
    };
    std::vector<Distinct> distinct;
    std::map<std::string, std::size_t> by_key, group_of;
    for (const auto& e : exchanges) {
        auto c = conditions_of(e, settings);
        auto [it, added] = by_key.emplace(c.key, distinct.size());
        if (added) {
            Distinct d;
            d.method = e.method;
            d.path = c.pattern.path->text;
            d.group = group_of.emplace(e.method + " " + d.path, group_of.size()).first->second;
            d.conditions = std::move(c);
            distinct.push_back(std::move(d));
        }
        distinct[it->second].responses.push_back(response_of(e, settings));
    }
    std::stable_sort(distinct.begin(), distinct.end(), [](const Distinct& a, const Distinct& b) {
        return a.group != b.group ? a.group < b.group : a.conditions.count > b.conditions.count;
    });

    RecordingText out;
    std::size_t number = first;
    for (const auto& d : distinct) {
        // Runs of equal responses: (response, how many times in a row).
        std::vector<std::pair<const CannedResponse*, std::uint64_t>> runs;
        for (const auto& r : d.responses) {
            if (!runs.empty() && same_response(*runs.back().first, r)) {
                ++runs.back().second;
            } else {
                runs.emplace_back(&r, 1);
            }
        }
        for (std::size_t i = 0; i < runs.size(); ++i) {
            Route route;
            route.name = "r" + std::to_string(number) + "-" + slug(d.method, d.path);
            route.request = d.conditions.pattern;
            if (i + 1 < runs.size()) route.times = runs[i].second;
            CannedResponse response = *runs[i].first;
            if (!response.body.empty() && !fits_inline(response.body)) {
                auto name = route.name + extension_for(response);
                response.body_file = body_dir.empty() ? name : body_dir + "/" + name;
                out.bodies.emplace_back(std::move(name), response.body);
            }
            route.action = std::move(response);
            out.routes.append(write_route_ini(server, route));
            ++number;
            ++out.route_count;
        }
    }
    return out;
}

std::string recording_preamble(const Proxy& settings, std::size_t exchanges, std::size_t routes,
                               std::chrono::system_clock::time_point when) {
    std::string text = "# Recorded by mockserve from " + settings.url + " at " + iso8601(when) + ": ";
    text.append(std::to_string(exchanges)).append(exchanges == 1 ? " request" : " requests").append(" as ");
    text.append(std::to_string(routes)).append(routes == 1 ? " route" : " routes").append(", in the order first seen.\n");
    if (settings.record_secrets) {
        text.append("# Credentials (Authorization, Cookie, Set-Cookie, Proxy-Authorization) are written as they were\n"
                    "# sent (--keep-secrets): keep this file private.\n");
    } else {
        text.append("# Authorization, Cookie, Set-Cookie and Proxy-Authorization values are written as REDACTED, and a\n"
                    "# request header of those that is matched on only has to be present (--keep-secrets keeps them).\n");
    }
    return text;
}

}  // namespace mockserve::scenario::detail
