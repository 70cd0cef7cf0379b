#pragma once
// IoPool: the threads that run the server's io_context, and the watch that
// keeps a blocked handler from stalling the other connections.
//
// Handlers are written in Python's synchronous style and run on the I/O
// thread that completed their request's read (no hand-off per request, which
// is what keeps a trivial handler fast). Code that runs a handler marks its
// thread with a HandlerScope. A monitor thread looks, every
// Limits::blocked_handler_after, at how long each marked thread has been in
// its handler; while fewer than the base number of threads are free, it adds
// threads (up to Limits::max_threads). An added thread ends once it has been
// surplus for a while.

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
    IoPool(boost::asio::io_context& context, unsigned base_threads, unsigned max_threads,
           std::chrono::milliseconds blocked_after);
    ~IoPool();
    IoPool(const IoPool&) = delete;
    IoPool& operator=(const IoPool&) = delete;

    // Starts `threads` runners and the monitor.
    void start(unsigned threads);
    // Runs the io_context on the calling thread, as one of the pool's runners.
    void run_here();
    // Stops the monitor and waits for every runner to end (they end when the
    // io_context runs out of work). Idempotent; safe from several threads.
    void join();
    boost::asio::io_context& context() { return context_; }
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
    struct Slot {
        std::atomic<bool> used{false};
        std::atomic<std::int64_t> handler_since{0};  // steady-clock ns; 0: not in a handler
    };
    Slot* claim_slot();
    void run_runner(Slot* slot, bool extra);
    void spawn(bool extra);
    void monitor();
    unsigned blocked_count(std::int64_t now) const;

    boost::asio::io_context& context_;
    const unsigned base_threads_;
    const unsigned max_threads_;  // runners at most, the added ones and serve_forever's caller included
    const unsigned slot_count_;
    const std::chrono::milliseconds blocked_after_;
    std::unique_ptr<Slot[]> slots_;
    std::atomic<unsigned> running_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
    std::thread monitor_;
    std::mutex join_mutex_;
};

}  // namespace mockserve::http::detail
