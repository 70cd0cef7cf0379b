#include "journal_query.hpp"

#include <charconv>

namespace mockserve::scenario::detail {

namespace {

template <class T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// "500ms", "5s", "1.5s", "1m", or a bare number of seconds.
std::optional<std::chrono::milliseconds> duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
    const auto value = number<double>(text.substr(0, digits));
    const auto unit = text.substr(digits);
    if (!value) return std::nullopt;
    const double scale = unit == "ms" ? 1 : unit == "s" || unit.empty() ? 1000 : unit == "m" ? 60'000 : -1;
    if (scale < 0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(*value * scale + 0.5));
}

}  // namespace

std::optional<JournalQuery> JournalQuery::parse(const std::vector<std::pair<std::string, std::string>>& query,
                                                std::string& error) {
    JournalQuery q;
    for (const auto& [name, value] : query) {
        if (name == "server") {
            q.server = value;
        } else if (name == "route") {
            q.route = value;
        } else if (name == "method") {
            q.method = value;
        } else if (name == "path") {
            q.path = value;
        } else if (name == "unmatched") {
            if (value != "1" && value != "0" && value != "true" && value != "false") {
                error = "unmatched is 1 (only requests no route matched) or 0, not '" + value + "'";
                return std::nullopt;
            }
            q.unmatched = value == "1" || value == "true";
        } else if (name == "since") {
            const auto seq = number<std::uint64_t>(value);
            if (!seq) {
                error = "since is a sequence number (the seq of a request), not '" + value + "'";
                return std::nullopt;
            }
            q.since = *seq;
        } else if (name == "wait") {
            q.wait = duration(value);
            if (!q.wait || *q.wait > kLongestWait) {
                error = "wait is a duration of at most 60s (say 500ms, 5s or 5), not '" + value + "'";
                return std::nullopt;
            }
        } else if (name != "token") {
            error = "unknown parameter '" + name + "' (known: server, route, method, path, unmatched, since, wait)";
            return std::nullopt;
        }
    }
    return q;
}

bool JournalQuery::matches(const RecordedRequest& r) const {
    if (r.sequence <= since) return false;
    if (server && r.server != *server) return false;
    if (route && r.route != *route) return false;
    if (method && r.method != *method) return false;
    if (unmatched && r.unmatched != *unmatched) return false;
    if (path) {
        const auto& p = *path;
        if (!p.empty() && p.back() == '*') return r.path.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0;
        return r.path == p;
    }
    return true;
}

}  // namespace mockserve::scenario::detail
