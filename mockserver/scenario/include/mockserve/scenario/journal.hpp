#pragma once
// Journal: every request the servers of a runner received, in arrival order.
//
// Thread-safe: servers record from their threads while a test reads, waits
// or clears. Memory is bounded: each body is kept up to `max_body_bytes`
// (its real size is always known), and when the whole journal passes
// `max_total_bytes` the oldest bodies are dropped first, then the oldest
// entries; both are counted.
//
// JSON Lines export, one object per request (documented in
// scenarios/README.md): seq, server, route, method, target, path, query,
// version, headers, body (or body_base64 when it is not UTF-8), body_size,
// body_truncated, client, received, status, bytes_sent, duration_us,
// explanation, unmatched, and with state machines state and next_state.

#include <mockserve/scenario/recorded_request.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace mockserve::scenario {

struct JournalLimits {
    // Off: nothing is recorded (only for measuring what the journal costs;
    // expectations need it on).
    bool enabled = true;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_total_bytes = 64 * 1024 * 1024;
};

class Journal {
public:
    explicit Journal(JournalLimits limits = {});

    bool enabled() const { return limits_.enabled; }
    const JournalLimits& limits() const { return limits_; }
    // A sequence number for a request that has just arrived.
    std::uint64_t next_sequence();
    // Adds a finished request (its sequence from next_sequence()).
    void record(RecordedRequest request);

    std::vector<RecordedRequest> entries() const;
    std::size_t size() const;
    // Waits until at least `count` entries satisfy `predicate`, or `timeout`
    // passes; returns whether they did.
    bool wait_for(const std::function<bool(const RecordedRequest&)>& predicate, std::size_t count,
                  std::chrono::milliseconds timeout) const;
    void clear();

    // For readers that follow the journal as it grows (the control API's
    // long poll and event stream): where a reader is, counted in entries
    // recorded, not in sequence numbers (requests finish out of order, so
    // a late entry may carry an earlier number than one already read).
    struct Cursor {
        std::uint64_t recorded = 0;
    };
    // A cursor that has seen everything recorded so far.
    Cursor cursor() const;
    // The entries recorded after `cursor` (in sequence order), waiting for
    // at least one until `until`, or until wake_waiters() is called and
    // `stop` returns true; the cursor moves past them. A reader that fell
    // more than 16,384 entries behind gets those still in the journal with
    // a sequence above the last it was given.
    std::vector<RecordedRequest> wait_recorded(Cursor& cursor, std::chrono::steady_clock::time_point until,
                                               const std::function<bool()>& stop) const;
    // Wakes every waiting reader, so that it checks its `stop`.
    void wake_waiters() const;

    std::uint64_t dropped_bodies() const;
    std::uint64_t dropped_entries() const;

    void write_jsonl(std::ostream& out) const;
    std::string to_jsonl() const;
    static std::string to_json(const RecordedRequest& request);

private:
    static std::size_t footprint(const RecordedRequest& request);
    struct Dropped {
        std::vector<RecordedRequest> entries;
        std::vector<std::string> bodies;
    };
    void enforce_budget(Dropped& dropped);

    JournalLimits limits_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    // By sequence. A deque: a full journal drops its oldest entries without
    // moving the others (a vector's erase stalled every server for ms).
    std::deque<RecordedRequest> entries_;
    // What each entry counts for, beside it: trimming reads these, not the
    // entries, which are long out of the cache by then.
    struct Size {
        std::size_t footprint;
        std::size_t body;
    };
    std::deque<Size> sizes_;
    std::size_t total_bytes_ = 0;
    // The sequence numbers of the latest entries, in the order they were
    // recorded (at most kRecentRecords), and how many were ever recorded:
    // what a Cursor reads.
    static constexpr std::size_t kRecentRecords = 16384;
    std::deque<std::uint64_t> recent_;
    std::uint64_t recorded_ = 0;
    std::size_t first_with_body_ = 0;  // entries before it have had their bodies dropped
    std::atomic<std::uint64_t> sequence_{0};  // taken without the lock, at every request's start
    std::uint64_t dropped_bodies_ = 0;
    std::uint64_t dropped_entries_ = 0;
};

}  // namespace mockserve::scenario
