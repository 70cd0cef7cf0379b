// IoPool without a server: a handler that blocks makes the pool add a
// thread, and never more than max_threads run.
#include "io_pool.hpp"

#include <boost/asio/executor_work_guard.hpp>
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

TEST(IoPool, AddsThreadsWhileHandlersBlock) {
    net::io_context context;
    auto work = net::make_work_guard(context);
    IoPool pool(context, 1, 8, 10ms);
    pool.start(1);
    // One base thread: the second and third handler can only run on threads
    // the pool adds because the first ones are blocked.
    BlockingHandlers handlers(context, pool, 3, 3);
    EXPECT_EQ(handlers.reached().wait_for(30s), std::future_status::ready);
    handlers.release();
    work.reset();
    pool.join();
    EXPECT_EQ(handlers.finished(), 3);
    EXPECT_EQ(handlers.peak(), 3);
}

TEST(IoPool, NeverRunsMoreThanMaxThreads) {
    net::io_context context;
    auto work = net::make_work_guard(context);
    IoPool pool(context, 1, 2, 5ms);
    pool.start(1);
    BlockingHandlers handlers(context, pool, 3, 2);
    ASSERT_EQ(handlers.reached().wait_for(30s), std::future_status::ready);
    // Many monitor rounds pass while two handlers block: the third must
    // still wait (the span observed, not synchronisation).
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(handlers.peak(), 2);
    handlers.release();
    work.reset();
    pool.join();
    EXPECT_EQ(handlers.finished(), 3);
    EXPECT_EQ(handlers.peak(), 2);
}

}  // namespace
}  // namespace mockserve::http::detail
