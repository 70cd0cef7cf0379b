#include <mockserve/scenario/journal.hpp>

#include "packed_request.hpp"
#include "time_text.hpp"
#include "utf8.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <deque>
#include <ctime>
#include <iterator>
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

// The staging slots, and when a recording thread moves its slot's entries
// into the journal: after this many entries or bytes, or at once while a
// reader waits.
constexpr std::size_t kSlots = 16;
constexpr std::size_t kStagedEntries = 64;
constexpr std::size_t kStagedBytes = 32 * 1024;

// This thread's slot: threads take numbers in the order they first record,
// so the I/O lanes of a server get slots of their own.
std::size_t slot_of_this_thread() {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return mine;
}

// While alive, the journal counts one more reader waiting for entries.
class Waiting {
public:
    explicit Waiting(std::atomic<unsigned>& waiters) : waiters_(waiters) { waiters_.fetch_add(1); }
    ~Waiting() { waiters_.fetch_sub(1); }
    Waiting(const Waiting&) = delete;
    Waiting& operator=(const Waiting&) = delete;

private:
    std::atomic<unsigned>& waiters_;
};

}  // namespace

struct Journal::Store {
    // Where a recording thread leaves its entries until they join `entries`.
    // Each I/O lane records into a slot of its own, a cache line apart, so
    // the lanes never take the same lock or write the same line per
    // request: one lock shared by the lanes for every entry cost a futex
    // call in about 1 % of requests at 64 connections on 2 cores (its
    // holder preempted by the client; 0.2 % with the slots), and its line
    // moved between the cores every time.
    struct alignas(64) Slot {
        std::mutex mutex;
        std::vector<detail::PackedRequest> pending;
        std::size_t pending_bytes = 0;
    };
    std::array<Slot, kSlots> slots;
    std::vector<detail::PackedRequest> taken;  // the slot's entries being moved; its capacity is kept
    std::vector<detail::PackedRequest> later;  // entries add_all() merges the new ones among

    // By sequence. A deque: a full journal drops its oldest entries without
    // moving the others (a vector's erase stalled every server for ms).
    // Its nodes come from the entries' arena: from malloc, the growing
    // journal grew the heap a page at a time, and each new page stalled its
    // first write (sysmalloc was 2 % of the server's user time).
    using Entries = std::deque<detail::PackedRequest, detail::ArenaAllocator<detail::PackedRequest>>;
    Entries entries;
    std::size_t total_bytes = 0;
    // The sequence numbers of the latest entries, in the order they joined
    // (at most kRecentRecords), and how many ever joined: what a Cursor
    // reads.
    static constexpr std::size_t kRecentRecords = 16384;
    std::deque<std::uint64_t, detail::ArenaAllocator<std::uint64_t>> recent;
    std::uint64_t recorded = 0;
    std::uint64_t clears = 0;
    std::size_t first_with_body = 0;  // entries before it have had their bodies dropped
    std::uint64_t dropped_bodies = 0;
    std::uint64_t dropped_entries = 0;

    // Moves `slot`'s entries into the journal and trims it to the budget;
    // with the journal's lock held. What the budget drops is left in
    // `dropped`, for the caller to free after the lock.
    void take(Slot& slot, std::size_t budget, std::vector<detail::PackedRequest>& dropped) {
        {
            std::lock_guard lock(slot.mutex);
            if (slot.pending.empty()) return;
            taken.swap(slot.pending);
            slot.pending_bytes = 0;
        }
        add_all(taken);
        taken.clear();
        enforce(budget, dropped);
    }

    // Every slot's entries, before anything reads the journal.
    void take_all(std::size_t budget, std::vector<detail::PackedRequest>& dropped) {
        for (auto& slot : slots) take(slot, budget, dropped);
    }

    // Adds `fresh` (emptied of its entries) in sequence order. The lanes
    // finish requests in step, so a slot's entries interleave with the few
    // newest of another's: those are taken out and merged back, rather than
    // each new entry inserted among them (which moved them once per entry).
    void add_all(std::vector<detail::PackedRequest>& fresh) {
        const auto by_sequence = [](const detail::PackedRequest& a, const detail::PackedRequest& b) {
            return a.sequence() < b.sequence();
        };
        // A lane records in the order it numbers, so a slot's batch is
        // nearly always in order already: checked before it is sorted.
        if (!std::is_sorted(fresh.begin(), fresh.end(), by_sequence)) std::sort(fresh.begin(), fresh.end(), by_sequence);
        auto at = entries.size();
        while (at > 0 && entries[at - 1].sequence() > fresh.front().sequence()) --at;
        if (at < first_with_body) {  // among entries whose bodies went: rare, and kept simple
            for (auto& packed : fresh) add(std::move(packed));
            return;
        }
        later.clear();
        std::move(entries.begin() + static_cast<std::ptrdiff_t>(at), entries.end(), std::back_inserter(later));
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(at), entries.end());
        auto old = later.begin();
        for (auto& packed : fresh) {
            for (; old != later.end() && old->sequence() < packed.sequence(); ++old) entries.push_back(std::move(*old));
            total_bytes += packed.memory();
            recent.push_back(packed.sequence());
            entries.push_back(std::move(packed));
            ++recorded;
        }
        std::move(old, later.end(), std::back_inserter(entries));
        while (recent.size() > kRecentRecords) recent.pop_front();
    }

    void add(detail::PackedRequest&& packed) {
        total_bytes += packed.memory();
        // Requests finish out of order; the journal keeps arrival order.
        auto at = entries.size();
        while (at > 0 && entries[at - 1].sequence() > packed.sequence()) --at;
        recent.push_back(packed.sequence());
        if (recent.size() > kRecentRecords) recent.pop_front();
        entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), std::move(packed));
        if (at < first_with_body) ++first_with_body;  // it still points at the same entry
        ++recorded;
    }

    // Trims to the budget. A full journal drops about one entry per entry
    // recorded: the lock is held for a few moves per entry, and what goes
    // is freed by the caller after the lock (the servers record meanwhile).
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
    Entries::const_iterator first_after(std::uint64_t sequence) const {
        return std::upper_bound(entries.begin(), entries.end(), sequence,
                                [](std::uint64_t s, const detail::PackedRequest& e) { return s < e.sequence(); });
    }
};

Journal::Journal(JournalLimits limits) : limits_(limits), store_(std::make_unique<Store>()) {}

Journal::~Journal() = default;

std::uint64_t Journal::next_sequence() { return sequence_.fetch_add(1, std::memory_order_relaxed) + 1; }

void Journal::record(const RecordedRequest& request) {
    // Packed before any lock, and left in this thread's slot: the journal's
    // own lock is taken once per kStagedEntries entries, or at once while a
    // reader waits (it is woken for each entry, as before the slots).
    detail::PackedRequest packed(request, limits_.max_body_bytes);
    auto& s = *store_;
    auto& slot = s.slots[slot_of_this_thread()];
    bool move_now = false;
    {
        std::lock_guard lock(slot.mutex);
        slot.pending_bytes += packed.memory();
        slot.pending.push_back(std::move(packed));
        // Read under the slot's lock: a waiter counts itself before it
        // takes the slots' entries, so either it finds this entry or this
        // thread finds it waiting.
        move_now = slot.pending.size() >= kStagedEntries || slot.pending_bytes >= kStagedBytes ||
                   waiters_.load() > 0;
    }
    if (!move_now) return;
    std::vector<detail::PackedRequest> dropped;  // freed after the lock is let go
    {
        std::lock_guard lock(mutex_);
        s.take(slot, limits_.max_total_bytes, dropped);
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
        std::vector<detail::PackedRequest> dropped;  // freed after the lock
        std::lock_guard lock(mutex_);
        auto& s = *store_;
        if (out.empty()) {
            s.take_all(limits_.max_total_bytes, dropped);
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
    std::vector<detail::PackedRequest> dropped;  // freed after the lock
    std::lock_guard lock(mutex_);
    store_->take_all(limits_.max_total_bytes, dropped);
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
    const Waiting waiting(waiters_);  // recorders move each entry in at once meanwhile
    while (true) {
        Cursor cursor;
        std::uint64_t clears = 0, upto = 0;
        {
            std::vector<detail::PackedRequest> dropped;  // freed after the lock
            std::lock_guard lock(mutex_);
            store_->take_all(limits_.max_total_bytes, dropped);
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
                std::vector<detail::PackedRequest> dropped;  // freed after the lock
                std::unique_lock lock(mutex_);
                if (!changed_.wait_until(lock, until, [&] {
                        store_->take_all(limits_.max_total_bytes, dropped);
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
    std::vector<detail::PackedRequest> dropped;  // freed after the lock
    std::lock_guard lock(mutex_);
    store_->take_all(limits_.max_total_bytes, dropped);
    return {store_->recorded};
}

std::vector<RecordedRequest> Journal::wait_recorded(Cursor& cursor, std::chrono::steady_clock::time_point until,
                                                    const std::function<bool()>& stop) const {
    const Waiting waiting(waiters_);  // recorders move each entry in at once meanwhile
    std::vector<detail::PackedRequest> dropped;  // freed after the lock
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, until, [&] {
        store_->take_all(limits_.max_total_bytes, dropped);
        return store_->recorded > cursor.recorded || stop();
    });
    return unpack_fresh(cursor, lock);
}

void Journal::wake_waiters() const {
    { std::lock_guard lock(mutex_); }  // a waiter is either waiting or will see the flag its stop() reads
    changed_.notify_all();
}

void Journal::clear() {
    Store::Entries gone;  // freed after the lock
    std::vector<detail::PackedRequest> dropped;
    {
        std::lock_guard lock(mutex_);
        auto& s = *store_;
        s.take_all(limits_.max_total_bytes, dropped);  // recorded before the clear: gone with the rest
        s.recent.clear();
        gone.swap(s.entries);
        s.total_bytes = 0;
        s.first_with_body = 0;
        ++s.clears;
    }
    changed_.notify_all();
}

std::uint64_t Journal::dropped_bodies() const {
    std::vector<detail::PackedRequest> dropped;  // freed after the lock
    std::lock_guard lock(mutex_);
    store_->take_all(limits_.max_total_bytes, dropped);
    return store_->dropped_bodies;
}

std::uint64_t Journal::dropped_entries() const {
    std::vector<detail::PackedRequest> dropped;  // freed after the lock
    std::lock_guard lock(mutex_);
    store_->take_all(limits_.max_total_bytes, dropped);
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
