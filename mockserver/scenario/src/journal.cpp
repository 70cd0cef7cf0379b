#include <mockserve/scenario/journal.hpp>

#include "time_text.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <sstream>

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

Journal::Journal(JournalLimits limits) : limits_(limits) {}

std::uint64_t Journal::next_sequence() { return sequence_.fetch_add(1, std::memory_order_relaxed) + 1; }

namespace {

// What malloc hands out for a request of `bytes`: its 16-byte header, and
// the size rounded up to 16 (glibc's chunks on 64-bit).
std::size_t allocated(std::size_t bytes) { return bytes == 0 ? 0 : (bytes + 16 + 15) / 16 * 16; }

// A string's heap block, or nothing when it lives in the string itself.
std::size_t allocated(const std::string& s) { return s.capacity() > 15 ? allocated(s.capacity() + 1) : 0; }

std::size_t allocated(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t size = allocated(fields.capacity() * sizeof(fields.front()));
    for (const auto& [name, value] : fields) size += allocated(name) + allocated(value);
    return size;
}

}  // namespace

std::size_t Journal::footprint(const RecordedRequest& r) {
    // The memory an entry really holds (the estimate was the text alone, and
    // a soak with many small requests found the process at twice the budget).
    return sizeof(RecordedRequest) + allocated(r.server) + allocated(r.method) + allocated(r.target) +
           allocated(r.path) + allocated(r.version) + allocated(r.body) + allocated(r.client) +
           allocated(r.explanation) + allocated(r.state) + allocated(r.next_state) + (r.route ? allocated(*r.route) : 0) + allocated(r.headers) +
           allocated(r.query) +
           (r.tls ? allocated(r.tls->version) + allocated(r.tls->cipher) + allocated(r.tls->sni) +
                        allocated(r.tls->alpn) + allocated(r.tls->client_subject)
                  : 0);
}

void Journal::record(RecordedRequest request) {
    // A body keeps the memory it was read into (a 4 MiB upload cut to the
    // 1 MiB cap would hold 4 MiB): copied when cut, shrunk when read with
    // slack, and counted by its capacity, so that the budget is the memory.
    if (request.body.size() > limits_.max_body_bytes) {
        request.body = request.body.substr(0, limits_.max_body_bytes);
        request.body_truncated = true;
    } else if (request.body.capacity() - request.body.size() > request.body.size() / 4 + 64) {
        request.body.shrink_to_fit();
    }
    const Size size{footprint(request), allocated(request.body)};
    Dropped dropped;  // freed after the lock is let go
    {
        std::lock_guard lock(mutex_);
        total_bytes_ += size.footprint;
        // Requests finish out of order; the journal keeps arrival order.
        auto at = entries_.size();
        while (at > 0 && entries_[at - 1].sequence > request.sequence) --at;
        entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(at), std::move(request));
        sizes_.insert(sizes_.begin() + static_cast<std::ptrdiff_t>(at), size);
        if (at < first_with_body_) ++first_with_body_;  // it still points at the same entry
        ++recorded_;
        recent_.push_back(entries_[at].sequence);
        if (recent_.size() > kRecentRecords) recent_.pop_front();
        enforce_budget(dropped);
    }
    changed_.notify_all();
}

void Journal::enforce_budget(Dropped& dropped) {
    // A full journal drops about one entry per entry recorded: the lock is
    // held for a few moves, never for a batch, and what goes is freed by the
    // caller after the lock (the other servers record meanwhile). sizes_
    // answers without reading the entries, which are long out of the cache.
    // Oldest bodies first (the newest keeps its own)...
    while (total_bytes_ > limits_.max_total_bytes && first_with_body_ + 1 < entries_.size()) {
        auto& size = sizes_[first_with_body_];
        if (size.body > 0) {
            auto& oldest = entries_[first_with_body_];
            dropped.bodies.push_back(std::move(oldest.body));
            oldest.body.clear();
            oldest.body_truncated = true;
            total_bytes_ -= size.body;
            size.footprint -= size.body;
            size.body = 0;
            ++dropped_bodies_;
        }
        ++first_with_body_;
    }
    // ... then the oldest entries.
    while (total_bytes_ > limits_.max_total_bytes && entries_.size() > 1) {
        total_bytes_ -= sizes_.front().footprint;
        dropped.entries.push_back(std::move(entries_.front()));
        entries_.pop_front();
        sizes_.pop_front();
        if (first_with_body_ > 0) --first_with_body_;
        ++dropped_entries_;
    }
}

std::vector<RecordedRequest> Journal::entries() const {
    std::lock_guard lock(mutex_);
    return {entries_.begin(), entries_.end()};
}

std::size_t Journal::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

bool Journal::wait_for(const std::function<bool(const RecordedRequest&)>& predicate, std::size_t count,
                       std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        if (entries_.size() < count) return false;
        std::size_t matching = 0;
        for (const auto& entry : entries_)
            if (predicate(entry) && ++matching >= count) return true;
        return count == 0;
    });
}

Journal::Cursor Journal::cursor() const {
    std::lock_guard lock(mutex_);
    return {recorded_};
}

std::vector<RecordedRequest> Journal::wait_recorded(Cursor& cursor, std::chrono::steady_clock::time_point until,
                                                    const std::function<bool()>& stop) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, until, [&] { return recorded_ > cursor.recorded || stop(); });
    std::vector<RecordedRequest> out;
    const auto fresh = recorded_ - std::min(cursor.recorded, recorded_);
    if (fresh == 0) return out;
    const auto by_sequence = [](const RecordedRequest& r, std::uint64_t sequence) { return r.sequence < sequence; };
    if (fresh <= recent_.size()) {
        std::vector<std::uint64_t> wanted(recent_.end() - static_cast<std::ptrdiff_t>(fresh), recent_.end());
        std::sort(wanted.begin(), wanted.end());
        for (const auto sequence : wanted) {
            const auto it = std::lower_bound(entries_.begin(), entries_.end(), sequence, by_sequence);
            if (it != entries_.end() && it->sequence == sequence) out.push_back(*it);  // else cleared or dropped
        }
    } else {
        // Cleared since (the ring then holds exactly what came after), or
        // too far behind to know each new entry: every entry from the
        // oldest number the ring holds on.
        const auto last = recent_.empty() ? 0 : *std::min_element(recent_.begin(), recent_.end());
        for (auto it = std::lower_bound(entries_.begin(), entries_.end(), last, by_sequence); it != entries_.end(); ++it)
            out.push_back(*it);
    }
    cursor.recorded = recorded_;
    return out;
}

void Journal::wake_waiters() const {
    { std::lock_guard lock(mutex_); }  // a waiter is either waiting or will see the flag its stop() reads
    changed_.notify_all();
}

void Journal::clear() {
    {
        std::lock_guard lock(mutex_);
        recent_.clear();
        entries_.clear();
        sizes_.clear();
        total_bytes_ = 0;
        first_with_body_ = 0;
    }
    changed_.notify_all();
}

std::uint64_t Journal::dropped_bodies() const {
    std::lock_guard lock(mutex_);
    return dropped_bodies_;
}

std::uint64_t Journal::dropped_entries() const {
    std::lock_guard lock(mutex_);
    return dropped_entries_;
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
