#pragma once
// SessionStrand: an Asio executor that runs one connection's handlers one at
// a time, as asio::strand does, at the cost of two atomic operations when the
// connection is free.
//
// Why not asio::strand: every completion of a read went through the strand's
// queue (a mutex taken twice, from a pool the connections of both lanes
// share, so that the lanes' threads took each other's cache lines), an
// operation allocated, and a shared_ptr copied several times: about 760
// instructions per keep-alive request. With this strand (and the read's
// completion handed to it directly, draining_socket.cpp) a canned request
// takes 8,563 instructions instead of 9,243; in CPU per request, the two
// builds side by side, 0-4 % less, within the noise (issue 18).
//
// Rules:
// - Two handlers of one SessionStrand never run at the same time, and each
//   sees what the one before it wrote.
// - A handler that may run in place (blocking.possibly, the default) runs in
//   place when the calling thread runs the inner io_context and no handler of
//   this strand is running or waiting; or when the calling thread is inside
//   one of this strand's handlers (as dispatch onto asio::strand).
// - Otherwise it waits in the strand's queue, and the queue is run through
//   the inner executor (never in place), a batch at a time, so that a
//   connection that keeps posting to itself cannot hold a lane's thread.
// - A handler that throws ends its turn as one that returns (the next one is
//   scheduled), and the exception goes on to the caller.

#include <boost/asio/execution.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace mockserve::http::detail {

// The queue and the turn, shared by every copy of one SessionStrand. A
// cache line of its own: the listener makes every lane's connections, one
// after the other, and the turn is taken and given back at every completion.
class alignas(64) SessionQueue {
public:
    // A waiting handler, type-erased.
    class Task {
    public:
        virtual ~Task() = default;
        virtual void run() = 0;
    };

    bool running_here() const { return current_ == this; }

    // Takes the turn if nobody has it: the caller then runs its handler and
    // calls end_turn(). False: someone has it (or a handler waits).
    bool try_take_turn() {
        std::size_t free = 0;
        return count_.compare_exchange_strong(free, 1, std::memory_order_acquire, std::memory_order_relaxed);
    }
    // Queues a handler; true if nobody had the turn, so that the caller must
    // have drain() scheduled (the turn is then the drain's).
    bool enqueue(std::unique_ptr<Task> task);
    // After a handler run under try_take_turn(): false if nothing waits
    // (the turn is given back), true if the caller must have drain()
    // scheduled (the turn passes to it).
    bool end_turn() { return count_.fetch_sub(1, std::memory_order_acq_rel) != 1; }
    // Runs waiting handlers, holding the turn, a batch at most. `again` says,
    // whenever drain() leaves (a handler may throw), whether handlers still
    // wait with the turn held, so that the caller must schedule it again.
    void drain(bool& again);

    // Marks the calling thread as running this queue's handlers while alive.
    class Running {
    public:
        explicit Running(const SessionQueue* queue) : previous_(current_) { current_ = queue; }
        ~Running() { current_ = previous_; }
        Running(const Running&) = delete;
        Running& operator=(const Running&) = delete;

    private:
        const SessionQueue* previous_;
    };

private:
    static constexpr std::size_t kBatch = 16;  // handlers run in one drain before the lane's other work
    static thread_local const SessionQueue* current_;

    // Handlers running or waiting. A handler is pushed before it is counted,
    // so that one counted and not running is always in waiting_.
    std::atomic<std::size_t> count_{0};
    std::mutex mutex_;
    std::deque<std::unique_ptr<Task>> waiting_;
};

// Has `queue`'s waiting handlers run through `inner`, never in place, a
// batch at a time, until none waits.
template <typename Executor>
void schedule_drain(std::shared_ptr<SessionQueue> queue, const Executor& inner) {
    auto never = boost::asio::require(inner, boost::asio::execution::blocking.never);
    never.execute([queue = std::move(queue), never] {
        bool again = false;
        struct Again {
            const std::shared_ptr<SessionQueue>& queue;
            const decltype(never)& executor;
            const bool& again;
            ~Again() {
                if (again) schedule_drain(queue, executor);
            }
        } reschedule{queue, never, again};
        queue->drain(again);
    });
}

template <typename Executor>
class SessionStrand {
public:
    using inner_executor_type = Executor;

    explicit SessionStrand(const Executor& inner) : inner_(inner), queue_(std::make_shared<SessionQueue>()) {}
    SessionStrand(const Executor& inner, std::shared_ptr<SessionQueue> queue) noexcept
        : inner_(inner), queue_(std::move(queue)) {}
    bool running_in_this_thread() const noexcept { return queue_->running_here(); }

    // The properties are the inner executor's, the strand kept.
    template <typename Property>
    auto query(const Property& p) const noexcept(boost::asio::is_nothrow_query<const Executor&, Property>::value)
        -> std::enable_if_t<boost::asio::can_query<const Executor&, Property>::value,
                            typename boost::asio::query_result<const Executor&, Property>::type> {
        return boost::asio::query(inner_, p);
    }
    template <typename Property>
    auto require(const Property& p) const
        -> std::enable_if_t<boost::asio::can_require<const Executor&, Property>::value &&
                                !std::is_convertible_v<Property, boost::asio::execution::blocking_t::always_t>,
                            SessionStrand<std::decay_t<typename boost::asio::require_result<const Executor&, Property>::type>>> {
        return {boost::asio::require(inner_, p), queue_};
    }
    template <typename Property>
    auto prefer(const Property& p) const
        -> std::enable_if_t<boost::asio::can_prefer<const Executor&, Property>::value &&
                                !std::is_convertible_v<Property, boost::asio::execution::blocking_t::always_t>,
                            SessionStrand<std::decay_t<typename boost::asio::prefer_result<const Executor&, Property>::type>>> {
        return {boost::asio::prefer(inner_, p), queue_};
    }

    template <typename Function>
    void execute(Function&& f) const {
        using Decayed = std::decay_t<Function>;
        const bool may_run_here =
            boost::asio::query(inner_, boost::asio::execution::blocking) != boost::asio::execution::blocking.never;
        if (may_run_here && queue_->running_here()) {
            // Inside this strand's own handler: as dispatch, in place.
            Decayed(std::forward<Function>(f))();
            return;
        }
        if (may_run_here && inner_.running_in_this_thread() && queue_->try_take_turn()) {
            // The common case: a completion on the lane's thread, the connection free.
            TurnEnd end{queue_, inner_};
            SessionQueue::Running running(queue_.get());
            Decayed(std::forward<Function>(f))();
            return;
        }
        if (queue_->enqueue(std::make_unique<Waiting<Decayed>>(std::forward<Function>(f)))) schedule_drain(queue_, inner_);
    }

    friend bool operator==(const SessionStrand& a, const SessionStrand& b) noexcept {
        return a.queue_ == b.queue_ && a.inner_ == b.inner_;
    }
    friend bool operator!=(const SessionStrand& a, const SessionStrand& b) noexcept { return !(a == b); }

private:
    template <typename F>
    class Waiting final : public SessionQueue::Task {
    public:
        template <typename G>
        explicit Waiting(G&& f) : f_(std::forward<G>(f)) {}
        void run() override { f_(); }

    private:
        F f_;
    };

    // Ends a turn taken in execute(), whether the handler returned or threw.
    // It reads the executor execute() was called on, which its caller holds
    // for the call (Asio's own calls go through a temporary copy).
    struct TurnEnd {
        const std::shared_ptr<SessionQueue>& queue;
        const Executor& inner;
        ~TurnEnd() {
            if (queue->end_turn()) schedule_drain(queue, inner);
        }
    };

    Executor inner_;
    std::shared_ptr<SessionQueue> queue_;
};

// A strand for one connection on `context`.
inline SessionStrand<boost::asio::io_context::executor_type> make_session_strand(boost::asio::io_context& context) {
    return SessionStrand<boost::asio::io_context::executor_type>(context.get_executor());
}

}  // namespace mockserve::http::detail
