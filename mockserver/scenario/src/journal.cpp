#include <mockserve/scenario/journal.hpp>

#include "packed_request.hpp"
#include "time_text.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <ctime>
#include <sstream>
#include <unordered_set>

namespace mockserve::scenario {

namespace {

std::string base64(std::string_view data) {
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                           static_cast<unsigned char>(data[i + 2]);
        out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
    }
    if (i < data.size()) {
        unsigned v = static_cast<unsigned char>(data[i]) << 16;
        if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
        out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], i + 1 < data.size() ? alphabet[(v >> 6) & 63] : '=', '='};
    }
    return out;
}


boost::json::array pairs(const std::vector<std::pair<std::string, std::string>>& fields) {
    boost::json::array out;
    for (const auto& [name, value] : fields) out.push_back(boost::json::array{name, value});
    return out;
}

// {"content-type": "application/json", ...}: names lower-cased, a repeated
// field's values joined with ", " in order (RFC 9110 section 5.3), for jq's
// .headers_by_name["content-type"]; "headers" keeps the fields as sent.
boost::json::object by_name(const std::vector<std::pair<std::string, std::string>>& fields) {
    boost::json::object out;
    for (const auto& [name, value] : fields) {
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto* seen = out.if_contains(lower)) {
            auto& joined = seen->as_string();
            joined.append(", ").append(value);
        } else {
            out.emplace(lower, value);
        }
    }
    return out;
}

}  // namespace

namespace {

// How many entries a reader unpacks before it lets the lock go.
constexpr std::size_t kBatch = 4096;

}  // namespace

struct Journal::Store {
    // By sequence. A deque: a full journal drops its oldest entries without
    // moving the others (a vector's erase stalled every server for ms).
    std::deque<detail::PackedRequest> entries;
    std::size_t total_bytes = 0;
    // The sequence numbers of the latest entries, in the order they were
    // recorded (at most kRecentRecords), and how many were ever recorded:
    // what a Cursor reads.
    static constexpr std::size_t kRecentRecords = 16384;
    std::deque<std::uint64_t> recent;
    std::uint64_t recorded = 0;
    std::uint64_t clears = 0;
    std::size_t first_with_body = 0;  // entries before it have had their bodies dropped
    std::uint64_t dropped_bodies = 0;
    std::uint64_t dropped_entries = 0;

    // Trims to the budget. A full journal drops about one entry per entry
    // recorded: the lock is held for a few moves, never for a batch, and
    // what goes is freed by the caller after the lock (the other servers
    // record meanwhile).
    void enforce(std::size_t budget, std::vector<detail::PackedRequest>& dropped) {
        // Oldest bodies first (the newest keeps its own)...
        while (total_bytes > budget && first_with_body + 1 < entries.size()) {
            auto& oldest = entries[first_with_body];
            if (oldest.body_bytes() > 0) {
                const auto before = oldest.memory();
                oldest.drop_body();
                total_bytes -= before - oldest.memory();
                ++dropped_bodies;
            }
            ++first_with_body;
        }
        // ... then the oldest entries.
        while (total_bytes > budget && entries.size() > 1) {
            total_bytes -= entries.front().memory();
            dropped.push_back(std::move(entries.front()));
            entries.pop_front();
            if (first_with_body > 0) --first_with_body;
            ++dropped_entries;
        }
    }

    // The first entry numbered above `sequence` (entries are in sequence order).
    std::deque<detail::PackedRequest>::const_iterator first_after(std::uint64_t sequence) const {
        return std::upper_bound(entries.begin(), entries.end(), sequence,
                                [](std::uint64_t s, const detail::PackedRequest& e) { return s < e.sequence(); });
    }
};

Journal::Journal(JournalLimits limits) : limits_(limits), store_(std::make_unique<Store>()) {}

Journal::~Journal() = default;

std::uint64_t Journal::next_sequence() { return sequence_.fetch_add(1, std::memory_order_relaxed) + 1; }

void Journal::record(const RecordedRequest& request) {
    // Packed before the lock: the servers' threads contend only for the
    // moment an entry takes to join the deque.
    detail::PackedRequest packed(request, limits_.max_body_bytes);
    std::vector<detail::PackedRequest> dropped;  // freed after the lock is let go
    {
        std::lock_guard lock(mutex_);
        auto& s = *store_;
        s.total_bytes += packed.memory();
        // Requests finish out of order; the journal keeps arrival order.
        auto at = s.entries.size();
        while (at > 0 && s.entries[at - 1].sequence() > packed.sequence()) --at;
        s.recent.push_back(packed.sequence());
        if (s.recent.size() > Store::kRecentRecords) s.recent.pop_front();
        s.entries.insert(s.entries.begin() + static_cast<std::ptrdiff_t>(at), std::move(packed));
        if (at < s.first_with_body) ++s.first_with_body;  // it still points at the same entry
        ++s.recorded;
        s.enforce(limits_.max_total_bytes, dropped);
    }
    changed_.notify_all();
}

std::vector<RecordedRequest> Journal::entries() const { return entries_after(0); }

std::vector<RecordedRequest> Journal::entries_after(std::uint64_t sequence) const {
    // In batches, the lock let go between them: a million entries take
    // seconds to unpack, and the servers record meanwhile. A clear() in
    // between starts the read again.
    std::vector<RecordedRequest> out;
    std::uint64_t clears = 0;
    for (auto after = sequence;;) {
        std::lock_guard lock(mutex_);
        const auto& s = *store_;
        if (out.empty()) {
            clears = s.clears;
            out.reserve(static_cast<std::size_t>(s.entries.end() - s.first_after(after)));
        } else if (clears != s.clears) {
            out.clear();
            after = sequence;
            continue;
        }
        auto it = s.first_after(after);
        for (std::size_t n = 0; it != s.entries.end() && n < kBatch; ++it, ++n) out.push_back(it->unpack());
        if (it == s.entries.end()) return out;
        after = out.back().sequence;
    }
}

std::size_t Journal::size() const {
    std::lock_guard lock(mutex_);
    return store_->entries.size();
}

std::vector<RecordedRequest> Journal::unpack_fresh(Cursor& cursor, std::unique_lock<std::mutex>&) const {
    const auto& s = *store_;
    std::vector<RecordedRequest> out;
    const auto fresh = s.recorded - std::min(cursor.recorded, s.recorded);
    cursor.recorded = s.recorded;
    if (fresh == 0) return out;
    if (fresh <= s.recent.size()) {
        std::vector<std::uint64_t> wanted(s.recent.end() - static_cast<std::ptrdiff_t>(fresh), s.recent.end());
        std::sort(wanted.begin(), wanted.end());
        for (const auto sequence : wanted) {
            const auto it = s.first_after(sequence - 1);
            if (it != s.entries.end() && it->sequence() == sequence) out.push_back(it->unpack());  // else cleared or dropped
        }
    } else {
        // Cleared since (the ring then holds exactly what came after), or
        // too far behind to know each new entry: every entry from the
        // oldest number the ring holds on.
        const auto oldest = s.recent.empty() ? 1 : *std::min_element(s.recent.begin(), s.recent.end());
        for (auto it = s.first_after(oldest - 1); it != s.entries.end(); ++it) out.push_back(it->unpack());
    }
    return out;
}

bool Journal::wait_for(const std::function<bool(const RecordedRequest&)>& predicate, std::size_t count,
                       std::chrono::milliseconds timeout) const {
    if (count == 0) return true;
    const auto until = std::chrono::steady_clock::now() + timeout;
    // Each entry is read once per wait, and `predicate` runs without the
    // lock: the entries there when the wait begins, in batches, then each
    // as it is recorded (a wait used to read the whole journal under the
    // lock again for every request). An entry recorded while the first
    // entries are read can be seen both ways: the numbers of the entries
    // that matched say which were counted. A clear() starts the count again.
    std::unordered_set<std::uint64_t> counted;
    const auto count_in = [&](const std::vector<RecordedRequest>& entries) {
        for (const auto& entry : entries)
            if (predicate(entry) && counted.insert(entry.sequence).second && counted.size() >= count) return true;
        return false;
    };
    while (true) {
        Cursor cursor;
        std::uint64_t clears = 0, upto = 0;
        {
            std::lock_guard lock(mutex_);
            cursor.recorded = store_->recorded;
            clears = store_->clears;
            upto = store_->entries.empty() ? 0 : store_->entries.back().sequence();
        }
        counted.clear();
        bool cleared = false;
        for (std::uint64_t after = 0; after < upto && !cleared;) {
            std::vector<RecordedRequest> batch;
            {
                std::lock_guard lock(mutex_);
                const auto& s = *store_;
                cleared = s.clears != clears;
                for (auto it = s.first_after(after); !cleared && it != s.entries.end() && it->sequence() <= upto &&
                                                     batch.size() < kBatch;
                     ++it)
                    batch.push_back(it->unpack());
            }
            if (batch.empty()) break;
            if (count_in(batch)) return true;
            after = batch.back().sequence;
        }
        while (!cleared) {
            std::vector<RecordedRequest> fresh;
            {
                std::unique_lock lock(mutex_);
                if (!changed_.wait_until(lock, until, [&] {
                        return store_->recorded > cursor.recorded || store_->clears != clears;
                    }))
                    return false;
                cleared = store_->clears != clears;
                if (!cleared) fresh = unpack_fresh(cursor, lock);
            }
            if (count_in(fresh)) return true;
        }
    }
}

Journal::Cursor Journal::cursor() const {
    std::lock_guard lock(mutex_);
    return {store_->recorded};
}

std::vector<RecordedRequest> Journal::wait_recorded(Cursor& cursor, std::chrono::steady_clock::time_point until,
                                                    const std::function<bool()>& stop) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, until, [&] { return store_->recorded > cursor.recorded || stop(); });
    return unpack_fresh(cursor, lock);
}

void Journal::wake_waiters() const {
    { std::lock_guard lock(mutex_); }  // a waiter is either waiting or will see the flag its stop() reads
    changed_.notify_all();
}

void Journal::clear() {
    std::deque<detail::PackedRequest> gone;  // freed after the lock
    {
        std::lock_guard lock(mutex_);
        auto& s = *store_;
        s.recent.clear();
        gone.swap(s.entries);
        s.total_bytes = 0;
        s.first_with_body = 0;
        ++s.clears;
    }
    changed_.notify_all();
}

std::uint64_t Journal::dropped_bodies() const {
    std::lock_guard lock(mutex_);
    return store_->dropped_bodies;
}

std::uint64_t Journal::dropped_entries() const {
    std::lock_guard lock(mutex_);
    return store_->dropped_entries;
}

std::string Journal::to_json(const RecordedRequest& r) {
    boost::json::object o;
    o["seq"] = r.sequence;
    o["server"] = r.server;
    o["route"] = r.route ? boost::json::value(*r.route) : boost::json::value(nullptr);
    o["method"] = r.method;
    o["target"] = r.target;
    o["path"] = r.path;
    o["query"] = pairs(r.query);
    o["version"] = r.version;
    if (r.stream_id != 0) o["stream_id"] = r.stream_id;
    o["headers"] = pairs(r.headers);
    o["headers_by_name"] = by_name(r.headers);
    if (detail::valid_utf8(r.body)) {
        o["body"] = r.body;
    } else {
        o["body_base64"] = base64(r.body);
    }
    o["body_size"] = r.body_size;
    o["body_truncated"] = r.body_truncated;
    o["client"] = r.client;
    if (r.tls) {
        const auto text_or_null = [](const std::string& text) {
            return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
        };
        o["tls"] = boost::json::object{{"version", r.tls->version},
                                       {"cipher", r.tls->cipher},
                                       {"sni", text_or_null(r.tls->sni)},
                                       {"alpn", text_or_null(r.tls->alpn)},
                                       {"client_subject", text_or_null(r.tls->client_subject)}};
    } else {
        o["tls"] = nullptr;
    }
    o["received"] = detail::iso8601(r.received);
    o["status"] = r.status;
    o["bytes_sent"] = r.bytes_sent;
    o["duration_us"] = r.duration.count();
    o["explanation"] = r.explanation.empty() ? boost::json::value(nullptr) : boost::json::value(r.explanation);
    o["unmatched"] = r.unmatched;
    o["delay_ms"] = r.delay.count();
    o["fault"] = r.fault.empty() ? boost::json::value(nullptr) : boost::json::value(r.fault);
    if (r.upstream) {
        o["upstream"] = boost::json::object{
            {"url", r.upstream->url},
            {"status", r.upstream->status},
            {"time_us", r.upstream->time.count()},
            {"error", r.upstream->error.empty() ? boost::json::value(nullptr) : boost::json::value(r.upstream->error)}};
    }
    if (!r.state.empty()) {
        o["state"] = r.state;
        o["next_state"] = r.next_state;
    }
    return boost::json::serialize(o);
}

void Journal::write_jsonl(std::ostream& out) const {
    for (const auto& entry : entries()) out << to_json(entry) << '\n';
}

std::string Journal::to_jsonl() const {
    std::ostringstream out;
    write_jsonl(out);
    return out.str();
}

}  // namespace mockserve::scenario

namespace mockserve::scenario::detail {

std::string iso8601(std::chrono::system_clock::time_point when) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros % 1'000'000));
    return buffer;
}

}  // namespace mockserve::scenario::detail
