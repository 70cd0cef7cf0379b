#include "request_matcher.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <algorithm>

namespace mockserve::scenario::detail {

namespace {

std::string quoted(std::string_view text) {
    constexpr std::size_t kShown = 80;
    std::string out(1, '"');
    out.append(text.substr(0, kShown)).append(1, '"');
    if (text.size() > kShown) out += "...";
    return out;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

}  // namespace

std::pair<std::string, std::vector<Field>> split_target(std::string_view target) {
    return {http::detail::unquote(http::detail::path_part(target)), http::detail::parse_query(target)};
}

bool matches(const RequestPattern& p, const RequestFacts& r, std::vector<std::string>* why) {
    bool ok = true;
    const auto failed = [&](std::string text) {
        ok = false;
        if (why) why->push_back(std::move(text));
        return why == nullptr;  // stop at the first failure unless explaining
    };
    if (!p.methods.empty() && std::find(p.methods.begin(), p.methods.end(), r.method) == p.methods.end())
        if (failed("method is " + std::string(r.method) + ", expected " + join(p.methods, " or "))) return false;
    if (p.path && !p.path->matches(r.path))
        if (failed("path is " + quoted(r.path) + ", expected " + p.path->to_string())) return false;
    for (const auto& wanted : p.query) {
        const bool found = std::any_of(r.query->begin(), r.query->end(), [&](const Field& f) { return f == wanted; });
        if (!found && failed("no query parameter " + wanted.first + "=" + wanted.second)) return false;
    }
    for (const auto& [name, value] : p.headers) {
        bool present = false, equal = false;
        std::string seen;
        for (const auto& [n, v] : *r.headers) {
            if (!http::iequals(n, name)) continue;
            present = true;
            seen = v;
            if (!value || v == *value) equal = true;
        }
        if (!present) {
            if (failed("no " + name + " header")) return false;
        } else if (!equal) {
            if (failed("header " + name + " is " + quoted(seen) + ", expected " + quoted(*value))) return false;
        }
    }
    if (p.body && r.body != *p.body)
        if (failed("body is " + quoted(r.body) + ", expected " + quoted(*p.body))) return false;
    if (p.body_contains && r.body.find(*p.body_contains) == std::string_view::npos)
        if (failed("body does not contain " + quoted(*p.body_contains))) return false;
    if (p.body_regex) {
        std::string gave_up;
        switch (p.body_regex->search(r.body, &gave_up)) {
            case Regex::Search::found: break;
            case Regex::Search::not_found:
                if (failed("body does not match ~ " + *p.body_regex_text)) return false;
                break;
            case Regex::Search::gave_up:
                if (failed("body of " + std::to_string(r.body.size()) + " bytes is too much for ~ " +
                           *p.body_regex_text + " (" + gave_up + ")"))
                    return false;
                break;
        }
    }
    if (p.json) {
        if (!r.json) r.json = canonical_json(r.body);
        if (!*r.json) {
            if (failed("body is not JSON: " + quoted(r.body))) return false;
        } else if (**r.json != *p.json) {
            if (failed("JSON body is " + quoted(**r.json) + ", expected " + quoted(*p.json))) return false;
        }
    }
    return ok;
}

RouteTable::RouteTable(const std::vector<Route>& routes) : routes_(routes) {
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const auto& r = routes[i].request;
        reads_body_ = reads_body_ || r.body || r.body_contains || r.body_regex || r.json;
        const auto& path = routes[i].request.path;
        if (path && path->kind == PathPattern::Kind::exact) {
            exact_[path->text].push_back(i);
        } else {
            others_.push_back(i);
        }
    }
}

std::optional<std::size_t> RouteTable::find(const RequestFacts& request, const RouteGate* gate) const {
    // Both lists are in file order: walk them merged, first match wins.
    static const std::vector<std::size_t> none;
    const auto it = exact_.find(std::string(request.path));
    const auto& exact = it == exact_.end() ? none : it->second;
    std::size_t a = 0, b = 0;
    while (a < exact.size() || b < others_.size()) {
        std::size_t index;
        if (b == others_.size() || (a < exact.size() && exact[a] < others_[b])) {
            index = exact[a++];
        } else {
            index = others_[b++];
        }
        if (matches(routes_[index].request, request) && (!gate || gate->open(index))) return index;
    }
    return std::nullopt;
}

std::string RouteTable::explain_miss(const RequestFacts& request, const RouteGate* gate, std::size_t at_most) const {
    struct Miss {
        std::size_t index;
        std::vector<std::string> why;
    };
    std::vector<Miss> misses;
    for (std::size_t i = 0; i < routes_.size(); ++i) {
        Miss miss{i, {}};
        matches(routes_[i].request, request, &miss.why);
        if (gate && !gate->open(i)) miss.why.push_back(gate->why_closed(i));
        misses.push_back(std::move(miss));
    }
    std::stable_sort(misses.begin(), misses.end(), [](const Miss& a, const Miss& b) { return a.why.size() < b.why.size(); });
    std::string text = "No route matched " + std::string(request.method) + " " + std::string(request.path) + ".";
    if (misses.empty()) return text + " This server has no routes.";
    text += " Closest routes:";
    for (std::size_t i = 0; i < misses.size() && i < at_most; ++i) {
        const auto& route = routes_[misses[i].index];
        text += "\n  " + route.name + (route.line ? " (line " + std::to_string(route.line) + ")" : "") + ": " +
                join(misses[i].why, "; ");
    }
    return text;
}

}  // namespace mockserve::scenario::detail
