// IoPool without a server: each lane has a thread of its own, a handler that
// blocks makes the pool add a thread to its lane, and never more than
// max_threads run.
#include "io_pool.hpp"

#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

namespace mockserve::http::detail {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// Posts `count` handlers that block until released; each notes how many run at once.
class BlockingHandlers {
public:
    BlockingHandlers(net::io_context& context, IoPool& pool, int count, int signal_at) : signal_at_(signal_at) {
        for (int i = 0; i < count; ++i) {
            net::post(context, [this, &pool] {
                IoPool::HandlerScope scope(pool);
                const int now = ++running_;
                int seen = peak_.load();
                while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
                }
                if (now == signal_at_ && !signalled_.exchange(true)) reached_.set_value();
                released_.wait();
                --running_;
                ++finished_;
            });
        }
    }
    // Resolves once `signal_at` handlers run at the same time.
    std::future<void> reached() { return reached_.get_future(); }
    void release() { release_.set_value(); }
    int peak() const { return peak_; }
    int finished() const { return finished_; }

private:
    const int signal_at_;
    std::atomic<int> running_{0};
    std::atomic<int> peak_{0};
    std::atomic<int> finished_{0};
    std::atomic<bool> signalled_{false};
    std::promise<void> reached_;
    std::promise<void> release_;
    std::shared_future<void> released_{release_.get_future().share()};
};

// Starts `pool`, posts `count` blocking handlers to `lane`, waits until
// `count` of them run at once, then lets them finish and joins the pool.
void expect_all_run_at_once(net::io_context& lane, IoPool& pool, int count) {
    pool.start(false);
    BlockingHandlers handlers(lane, pool, count, count);
    EXPECT_EQ(handlers.reached().wait_for(30s), std::future_status::ready);
    handlers.release();
    pool.release_work();
    pool.join();
    EXPECT_EQ(handlers.finished(), count);
    EXPECT_EQ(handlers.peak(), count);
}

TEST(IoPool, AddsThreadsWhileHandlersBlock) {
    net::io_context context;
    IoPool pool(context, 1, 8, 10ms);
    // One base thread: the second and third handler can only run on threads
    // the pool adds because the first ones are blocked.
    expect_all_run_at_once(context, pool, 3);
}

TEST(IoPool, NeverRunsMoreThanMaxThreads) {
    net::io_context context;
    IoPool pool(context, 1, 2, 5ms);
    pool.start(false);
    BlockingHandlers handlers(context, pool, 3, 2);
    ASSERT_EQ(handlers.reached().wait_for(30s), std::future_status::ready);
    // Many monitor rounds pass while two handlers block: the third must
    // still wait (the span observed, not synchronisation).
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(handlers.peak(), 2);
    handlers.release();
    pool.release_work();
    pool.join();
    EXPECT_EQ(handlers.finished(), 3);
    EXPECT_EQ(handlers.peak(), 2);
}

TEST(IoPool, EachLaneHasItsOwnThreadAndContext) {
    net::io_context main;
    IoPool pool(main, 2, 8, 10ms);
    ASSERT_EQ(pool.lane_count(), 2u);
    // New connections alternate between the lanes: lane 0 is the server's
    // own context, lane 1 one the pool made.
    auto& first = pool.next_lane();
    auto& second = pool.next_lane();
    EXPECT_NE(&first, &second);
    EXPECT_TRUE(&first == &main || &second == &main);
    EXPECT_EQ(&pool.next_lane(), &first);
    pool.start(false);
    std::promise<std::thread::id> on_first, on_second;
    net::post(first, [&] { on_first.set_value(std::this_thread::get_id()); });
    net::post(second, [&] { on_second.set_value(std::this_thread::get_id()); });
    auto a = on_first.get_future(), b = on_second.get_future();
    ASSERT_EQ(a.wait_for(30s), std::future_status::ready);
    ASSERT_EQ(b.wait_for(30s), std::future_status::ready);
    EXPECT_NE(a.get(), b.get());
    pool.release_work();
    pool.join();
}

TEST(IoPool, ABlockedLaneGetsAThreadOfItsOwn) {
    net::io_context main;
    IoPool pool(main, 2, 8, 10ms);
    // Both handlers are posted to lane 0: the second can only run on a
    // thread the pool adds to that lane (lane 1's thread is free, and of no
    // use to lane 0's connections).
    expect_all_run_at_once(main, pool, 2);
}

}  // namespace
}  // namespace mockserve::http::detail
