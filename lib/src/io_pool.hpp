#pragma once
// IoPool: the threads that run the server's I/O, in lanes, and the watch
// that keeps a blocked handler from stalling the other connections.
//
// Each base thread has a lane of its own: an io_context with its own epoll
// set, to which the listener hands every other new connection (round
// robin). A connection stays on its lane, so its socket, its buffers and its
// session are touched by one thread: two threads sharing one io_context
// cost about half as much CPU again per keep-alive request (the socket's
// state moving between cores, the scheduler's lock), measured with wrk on
// the canned route (issue 18). Lane 0 is the server's own io_context, which
// also runs the listener and the shutdown steps.
//
// Handlers are written in Python's synchronous style and run on the lane
// thread that completed their request's read (no hand-off per request).
// Code that runs a handler marks its thread with a HandlerScope. A monitor
// thread looks, every Limits::blocked_handler_after, at how long each marked
// thread has been in its handler; when every thread of a lane is blocked, it
// adds a thread to that lane (up to Limits::max_threads in all), so that the
// lane's other connections go on. An added thread ends once its lane has a
// free thread besides it for a while.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mockserve::http::detail {

class IoPool {
public:
    // `main` is lane 0; the pool makes one more io_context per further base thread.
    IoPool(boost::asio::io_context& main, unsigned base_threads, unsigned max_threads,
           std::chrono::milliseconds blocked_after);
    ~IoPool();
    IoPool(const IoPool&) = delete;
    IoPool& operator=(const IoPool&) = delete;

    // Keeps every lane running until release_work(), and starts a runner per
    // lane (but lane 0's when `caller_runs_main`: run_here() is that one)
    // and the monitor.
    void start(bool caller_runs_main);
    // Runs lane 0 on the calling thread, as one of the pool's runners.
    void run_here();
    // Lets each lane end once it runs out of work (its connections closed).
    void release_work();
    // Stops the monitor and waits for every runner to end. Idempotent; safe
    // from several threads.
    void join();
    // The lane for a new connection: each in turn.
    boost::asio::io_context& next_lane();
    std::size_t lane_count() const { return lanes_.size(); }
    // Whether the calling thread is one of this pool's runners.
    bool on_pool_thread() const;

    // While alive, the calling thread counts as running handler code.
    class HandlerScope {
    public:
        explicit HandlerScope(IoPool& pool);
        ~HandlerScope();
        HandlerScope(const HandlerScope&) = delete;
        HandlerScope& operator=(const HandlerScope&) = delete;

    private:
        std::atomic<std::int64_t>* since_;
    };

private:
    static constexpr unsigned kNoLane = ~0u;
    // A cache line each: a runner marks its slot on entering and leaving
    // every handler, and four slots to a line made the lanes' threads take
    // the line from each other twice a request.
    struct alignas(64) Slot {
        std::atomic<unsigned> lane{kNoLane};  // kNoLane: free
        std::atomic<std::int64_t> handler_since{0};  // steady-clock ns; 0: not in a handler
    };
    struct LaneCount {
        unsigned running = 0;
        unsigned blocked = 0;
    };
    Slot* claim_slot(unsigned lane);
    void run_runner(Slot* slot, bool extra);
    void spawn(unsigned lane, bool extra);
    void monitor();
    LaneCount count(unsigned lane, std::int64_t now) const;

    boost::asio::io_context& main_;
    std::vector<std::unique_ptr<boost::asio::io_context>> own_lanes_;  // lanes 1..n-1
    std::vector<boost::asio::io_context*> lanes_;
    std::atomic<unsigned> next_lane_{0};
    const unsigned max_threads_;  // runners at most, the added ones and serve_forever's caller included
    const unsigned slot_count_;
    const std::chrono::milliseconds blocked_after_;
    std::unique_ptr<Slot[]> slots_;
    std::atomic<unsigned> running_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::thread> threads_;
    std::thread monitor_;
    std::mutex join_mutex_;
};

}  // namespace mockserve::http::detail
