#pragma once
// Journal: every request the servers of a runner received, in arrival order.
//
// Thread-safe: servers record from their threads while a test reads, waits
// or clears. Memory is bounded: each body is kept up to `max_body_bytes`
// (its real size is always known), and when the whole journal passes
// `max_total_bytes` the oldest bodies are dropped first, then the oldest
// entries; both are counted.
//
// Each recording thread leaves its entries in a slot of its own, and they
// join the journal 64 at a time (or 32 KiB, or at once while a reader
// waits); every read takes them in first, so a read sees every request
// whose record() has returned. The budget is enforced as they join: it may
// be passed by what waits in the slots (at most 16 slots of 32 KiB and one
// entry each).
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
#include <memory>
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
    ~Journal();

    bool enabled() const { return limits_.enabled; }
    const JournalLimits& limits() const { return limits_; }
    // A sequence number for a request that has just arrived.
    std::uint64_t next_sequence();
    // Adds a finished request (its sequence from next_sequence()). The
    // journal keeps a packed copy: the caller may reuse `request`'s memory.
    void record(const RecordedRequest& request);

    std::vector<RecordedRequest> entries() const;
    // The entries numbered above `sequence`: only those are read, however
    // many older ones the journal holds.
    std::vector<RecordedRequest> entries_after(std::uint64_t sequence) const;
    std::size_t size() const;
    // Waits until at least `count` entries satisfy `predicate`, or `timeout`
    // passes; returns whether they did. Each entry is given to `predicate`
    // once (a request counts once it has been recorded, even if the budget
    // drops it later); a clear() starts the count again.
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
    // The entries, packed (detail::PackedRequest), and the bookkeeping
    // around them: in journal.cpp, so that users never see the packing.
    struct Store;
    std::vector<RecordedRequest> unpack_fresh(Cursor& cursor, std::unique_lock<std::mutex>& lock) const;

    JournalLimits limits_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::unique_ptr<Store> store_;
    // Taken without the lock, at every request's start, by every I/O thread:
    // a cache line of its own, so that the thread's next step does not wait
    // for the line the other threads just wrote.
    alignas(64) std::atomic<std::uint64_t> sequence_{0};
    // Readers in wait_for() or wait_recorded(); read at every record(), so
    // on a line the I/O threads do not write.
    alignas(64) mutable std::atomic<unsigned> waiters_{0};
};

}  // namespace mockserve::scenario
