// SessionStrand: one connection's handlers one at a time, from any number of
// threads; in place when the connection is free and the caller runs the
// io_context; never in place when posted; in order; and a handler that
// throws or a connection that keeps posting to itself holds nothing up.
#include "session_strand.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mockserve::http::detail {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// Runs `context` on `count` threads until it runs out of work.
class Runners {
public:
    Runners(net::io_context& context, int count) {
        for (int i = 0; i < count; ++i) threads_.emplace_back([&context] { context.run(); });
    }
    ~Runners() {
        for (auto& t : threads_) t.join();
    }

private:
    std::vector<std::thread> threads_;
};

TEST(SessionStrand, HandlersPostedFromManyThreadsNeverOverlapAndAllRun) {
    net::io_context context;
    auto strand = make_session_strand(context);
    constexpr int kPosters = 4, kEach = 2000;
    int unguarded = 0;  // a plain int: ThreadSanitizer reports any two handlers that overlap
    std::atomic<int> inside{0}, overlaps{0};
    const auto step = [&] {
        if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
        std::this_thread::yield();  // a window for another thread to come in, were it let
        ++unguarded;
        inside.fetch_sub(1);
    };
    {
        auto work = net::make_work_guard(context);
        Runners runners(context, 4);
        std::vector<std::thread> posters;
        for (int p = 0; p < kPosters; ++p)
            posters.emplace_back([&, p] {
                // Posted to the strand, dispatched to it from this thread, and
                // dispatched to it from the context's threads (in place when free).
                for (int i = 0; i < kEach; ++i) {
                    switch ((i + p) % 3) {
                        case 0: net::post(strand, step); break;
                        case 1: net::dispatch(strand, step); break;
                        default: net::post(context, [&] { net::dispatch(strand, step); });
                    }
                }
            });
        for (auto& t : posters) t.join();
        net::post(strand, [&work] { work.reset(); });  // after every handler above: the strand keeps order
    }
    EXPECT_EQ(overlaps.load(), 0);
    EXPECT_EQ(unguarded, kPosters * kEach);
}

TEST(SessionStrand, ACompletionOnTheContextsThreadRunsInPlaceWhenTheStrandIsFree) {
    net::io_context context;
    auto strand = make_session_strand(context);
    bool ran_in_place = false;
    net::post(context, [&] {
        bool ran = false;
        net::dispatch(strand, [&] {
            ran = true;
            EXPECT_TRUE(strand.running_in_this_thread());
        });
        ran_in_place = ran;
        EXPECT_FALSE(strand.running_in_this_thread());
    });
    context.run();
    EXPECT_TRUE(ran_in_place);
}

TEST(SessionStrand, ADispatchFromAnotherThreadWaitsForTheContext) {
    net::io_context context;
    auto strand = make_session_strand(context);
    bool ran = false;
    net::dispatch(strand, [&] { ran = true; });  // this thread does not run the context
    EXPECT_FALSE(ran);
    context.run();
    EXPECT_TRUE(ran);
}

TEST(SessionStrand, APostNeverRunsInPlaceAndHandlersRunInOrder) {
    net::io_context context;
    auto strand = make_session_strand(context);
    std::vector<int> order;
    net::post(context, [&] {
        net::dispatch(strand, [&] {
            net::post(strand, [&] { order.push_back(2); });
            net::dispatch(strand, [&] { order.push_back(1); });  // inside the strand: in place
            order.push_back(1);
            net::post(strand, [&] { order.push_back(3); });
        });
        order.push_back(0);  // the posts wait for this handler to return, though the strand is free
    });
    context.run();
    EXPECT_EQ(order, (std::vector<int>{1, 1, 0, 2, 3}));
}

TEST(SessionStrand, AHandlerThatThrowsEndsItsTurn) {
    net::io_context context;
    auto strand = make_session_strand(context);
    bool next_ran = false;
    net::post(strand, [] { throw std::runtime_error("the handler's own"); });
    net::post(strand, [&] { next_ran = true; });
    EXPECT_THROW(context.run(), std::runtime_error);
    context.restart();
    context.run();
    EXPECT_TRUE(next_ran);
    // And in place: the strand is free again after the throw.
    bool in_place = false;
    net::post(context, [&] {
        EXPECT_THROW(net::dispatch(strand, [] { throw std::runtime_error("again"); }), std::runtime_error);
        net::dispatch(strand, [&] { in_place = true; });
    });
    context.restart();
    context.run();
    EXPECT_TRUE(in_place);
}

TEST(SessionStrand, AStrandThatKeepsPostingToItselfLeavesTheContextsOtherWorkItsTurn) {
    net::io_context context;
    auto strand = make_session_strand(context);
    std::atomic<bool> other_ran{false};
    int rounds = 0;
    std::function<void()> again = [&] {
        if (other_ran || ++rounds == 100000) return;
        net::post(strand, again);
    };
    net::post(strand, again);
    net::post(context, [&] { other_ran = true; });
    context.run();
    EXPECT_TRUE(other_ran);
    EXPECT_LT(rounds, 1000);
}

TEST(SessionStrand, WhileOneThreadIsInsideAHandlerAnotherThreadsCompletionWaitsWithoutBlockingIt) {
    net::io_context context;
    auto strand = make_session_strand(context);
    std::promise<void> entered, release;
    auto released = release.get_future().share();
    std::atomic<bool> second_ran{false}, other_ran{false};
    auto work = net::make_work_guard(context);
    Runners runners(context, 2);
    net::post(strand, [&] {
        entered.set_value();
        released.wait();  // a handler that blocks, as a Python-style handler may
        EXPECT_FALSE(second_ran.load());
    });
    entered.get_future().wait();
    net::post(strand, [&] { second_ran = true; });
    std::promise<void> other;
    net::post(context, [&] {
        other_ran = true;  // the second runner is not held by the waiting handler
        other.set_value();
    });
    other.get_future().wait();
    EXPECT_TRUE(other_ran.load());
    EXPECT_FALSE(second_ran.load());
    release.set_value();
    net::post(strand, [&work] { work.reset(); });
}

TEST(SessionStrand, ASocketOnTheStrandCompletesThroughIt) {
    net::io_context context;
    auto strand = make_session_strand(context);
    net::ip::tcp::acceptor acceptor(context, {net::ip::address_v4::loopback(), 0});
    net::ip::tcp::socket client(context), server(strand);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    EXPECT_TRUE(server.get_executor().target<SessionStrand<net::io_context::executor_type>>() != nullptr);
    char byte = 0;
    bool inside = false;
    server.async_read_some(net::buffer(&byte, 1), [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, 1u);
        inside = strand.running_in_this_thread();
    });
    net::write(client, net::buffer("x", 1));
    context.run();
    EXPECT_TRUE(inside);
    EXPECT_EQ(byte, 'x');
}

}  // namespace
}  // namespace mockserve::http::detail
