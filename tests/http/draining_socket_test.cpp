// DrainingSocket over a real loopback connection: a receive that came back
// short makes the next one wait for epoll without calling recv(2), a full
// one lets the next try at once, and no byte is missed or reordered either
// way. The calls are counted by this executable's own recv(), which stands
// in front of the C library's (so this test is an executable of its own).
// Each test runs twice: the socket on a SessionStrand, as the server's
// connections are (the receive completes through the strand directly), and
// on Asio's strand (through the socket's executor).
#include "draining_socket.hpp"
#include "session_strand.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <dlfcn.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/socket.h>

namespace {

std::atomic<int> watched_fd{-1};
std::atomic<int> recv_calls{0};

}  // namespace

extern "C" ssize_t recv(int fd, void* into, size_t size, int flags) {
    using Recv = ssize_t (*)(int, void*, size_t, int);
    static const auto next = reinterpret_cast<Recv>(dlsym(RTLD_NEXT, "recv"));
    if (fd == watched_fd.load()) ++recv_calls;
    return next(fd, into, size, flags);
}

namespace mockserve::http::detail {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// What one receive delivered; `done` once its completion ran.
struct Received {
    bool done = false;
    boost::system::error_code ec;
    std::string bytes;
};

enum class Strand { session, asio };

class DrainingSocketTest : public ::testing::TestWithParam<Strand> {
protected:
    DrainingSocketTest() {
        net::ip::tcp::acceptor acceptor(io_, {net::ip::address_v4::loopback(), 0});
        client_.connect(acceptor.local_endpoint());
        if (GetParam() == Strand::session) {
            server_.emplace(acceptor.accept(make_session_strand(io_)));
        } else {
            server_.emplace(acceptor.accept(net::make_strand(io_)));
        }
        server_->native_non_blocking(true);
        watched_fd = server_->native_handle();
        recv_calls = 0;
    }
    ~DrainingSocketTest() override { watched_fd = -1; }

    // Starts a receive of at most `room` bytes; the result lands in the returned value.
    std::shared_ptr<Received> start_receive(std::size_t room) {
        auto received = std::make_shared<Received>();
        received->bytes.resize(room);
        StreamCompletion done{received, [](void* self, const boost::system::error_code& ec, std::size_t bytes) {
                                  auto* r = static_cast<Received*>(self);
                                  r->done = true;
                                  r->ec = ec;
                                  r->bytes.resize(bytes);
                              }};
        server_->async_receive_draining(net::buffer(received->bytes), std::move(done));
        return received;
    }

    // Runs the io_context until `done()` holds (or, so that a lost wake-up
    // fails rather than hangs, five seconds pass).
    template <class Done>
    void run_until(Done done) {
        io_.restart();
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        while (!done() && std::chrono::steady_clock::now() < give_up) io_.run_one_for(100ms);
    }
    void run_until_done(const Received& received) {
        run_until([&] { return received.done; });
    }

    void client_sends(std::string_view text) { net::write(client_, net::buffer(text)); }

    net::io_context io_;
    net::ip::tcp::socket client_{io_};
    std::optional<DrainingSocket> server_;
};

TEST_P(DrainingSocketTest, AShortReceiveLetsTheNextWaitForEpollWithoutCallingRecv) {
    if (!MOCKSERVE_DRAINING_RECEIVE) GTEST_SKIP() << "this Boost's reactor is not the one DrainingSocket knows";
    client_sends("GET / HTTP/1.1\r\n\r\n");
    auto first = start_receive(4096);
    run_until_done(*first);
    ASSERT_FALSE(first->ec) << first->ec.message();
    EXPECT_EQ(first->bytes, "GET / HTTP/1.1\r\n\r\n");
    const int after_first = recv_calls;

    // Nothing is there: the socket was emptied, so no call is made to find that out.
    auto second = start_receive(4096);
    io_.restart();
    io_.poll();
    EXPECT_FALSE(second->done);
    EXPECT_EQ(recv_calls, after_first);

    client_sends("GET /next HTTP/1.1\r\n\r\n");
    run_until_done(*second);
    ASSERT_FALSE(second->ec) << second->ec.message();
    EXPECT_EQ(second->bytes, "GET /next HTTP/1.1\r\n\r\n");
    EXPECT_EQ(recv_calls, after_first + 1);
}

TEST_P(DrainingSocketTest, TheSocketsOwnReceiveCallsRecvInVain) {
    // Why the draining receive exists, and proof that the count above bites:
    // Asio's receive, after a short one of its own, tries at once.
    client_sends("GET / HTTP/1.1\r\n\r\n");
    std::string room(4096, '\0');
    int done = 0;
    const auto count = [&](const boost::system::error_code&, std::size_t) { ++done; };
    server_->async_read_some(net::buffer(room), count);
    run_until([&] { return done == 1; });
    const int after_first = recv_calls;

    server_->async_read_some(net::buffer(room), count);
    io_.restart();
    io_.poll();
    EXPECT_EQ(done, 1);
    EXPECT_EQ(recv_calls, after_first + 1);
    server_->cancel();
    io_.restart();
    io_.poll();
    EXPECT_EQ(done, 2);
}

TEST_P(DrainingSocketTest, AFullReceiveLetsTheNextTryAtOnceAndNothingIsLost) {
    client_sends("0123456789");
    std::string all;
    for (int i = 0; i < 3; ++i) {
        auto part = start_receive(4);
        run_until_done(*part);
        ASSERT_FALSE(part->ec) << part->ec.message();
        all += part->bytes;
    }
    EXPECT_EQ(all, "0123456789");
}

TEST_P(DrainingSocketTest, BytesThatArriveBetweenReceivesAreNotMissed) {
    client_sends("first");
    auto first = start_receive(4096);
    run_until_done(*first);
    EXPECT_EQ(first->bytes, "first");

    // The bytes come while no receive waits; epoll reports them to nobody.
    client_sends("second");
    io_.restart();
    io_.poll();

    auto second = start_receive(4096);
    run_until_done(*second);
    ASSERT_TRUE(second->done) << "a receive started after the bytes came never saw them";
    EXPECT_EQ(second->bytes, "second");
}

TEST_P(DrainingSocketTest, TheClientsEndIsEof) {
    client_sends("last");
    client_.shutdown(net::socket_base::shutdown_send);
    auto first = start_receive(4096);
    run_until_done(*first);
    EXPECT_EQ(first->bytes, "last");
    auto end = start_receive(4096);
    run_until_done(*end);
    EXPECT_EQ(end->ec, net::error::eof);
    EXPECT_EQ(end->bytes, "");
}

TEST_P(DrainingSocketTest, CancellingAbortsAWaitingReceive) {
    auto waiting = start_receive(4096);
    io_.restart();
    io_.poll();
    ASSERT_FALSE(waiting->done);
    server_->cancel();
    run_until_done(*waiting);
    EXPECT_EQ(waiting->ec, net::error::operation_aborted);
}

TEST_P(DrainingSocketTest, AnEmptyBufferCompletesAtOnceWithoutError) {
    auto empty = start_receive(0);
    run_until_done(*empty);
    EXPECT_TRUE(empty->done);
    EXPECT_FALSE(empty->ec);
}

INSTANTIATE_TEST_SUITE_P(Strands, DrainingSocketTest, ::testing::Values(Strand::session, Strand::asio),
                         [](const ::testing::TestParamInfo<Strand>& info) {
                             return info.param == Strand::session ? "SessionStrand" : "AsioStrand";
                         });

}  // namespace
}  // namespace mockserve::http::detail
