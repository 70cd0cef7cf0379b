// Limits: deadlines, keep-alive, caps, and running out of descriptors.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/log_capture.hpp"
#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <sys/resource.h>
#include <thread>

namespace mockserve::http {
namespace {

using mockserve::test_support::exchange;
using mockserve::test_support::LogCapture;
using mockserve::test_support::RawClient;
using namespace std::chrono_literals;

class OkHandler : public BaseHTTPRequestHandler {
public:
    OkHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        send_response(200);
        send_header("Content-Length", "2");
        end_headers();
        wfile.write("ok");
    }
    void do_POST() override {
        const auto body = rfile.read();
        send_response(200);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }
};

struct Server {
    explicit Server(Limits limits) : server({"127.0.0.1", 0}, handler_class<OkHandler>(), limits) {
        server.set_log_sink(log.sink());
        server.start();
    }
    std::uint16_t port() const { return server.server_port; }
    LogCapture log;
    HTTPServer server;
};

TEST(Limits, DefaultsAreSane) {
    const Limits l;
    EXPECT_GT(l.max_request_line, 1000u);
    EXPECT_GE(l.max_header_bytes, l.max_request_line);
    EXPECT_GT(l.request_timeout, 0ms);
    EXPECT_GT(l.keep_alive_timeout, 0ms);
    EXPECT_GT(l.io_timeout, 0ms);
    EXPECT_GE(l.max_body_size, l.body_buffer_size);
}

// Each default as limits.hpp and the README document it: a change to one is
// a change users read about.
TEST(Limits, DefaultsAreTheDocumentedValues) {
    const Limits l;
    EXPECT_EQ(l.max_request_line, 8u * 1024);
    EXPECT_EQ(l.max_header_bytes, 64u * 1024);
    EXPECT_EQ(l.max_header_count, 100u);
    EXPECT_EQ(l.max_body_size, std::uint64_t{1} << 30);
    EXPECT_EQ(l.body_buffer_size, 1024u * 1024);
    EXPECT_EQ(l.max_chunk_line, 4u * 1024);
    EXPECT_EQ(l.max_trailer_bytes, 16u * 1024);
    EXPECT_EQ(l.response_buffer_size, 64u * 1024);
    EXPECT_EQ(l.request_timeout, 10s);
    EXPECT_EQ(l.keep_alive_timeout, 30s);
    EXPECT_EQ(l.io_timeout, 30s);
    EXPECT_EQ(l.cgi_timeout, 30s);
    EXPECT_EQ(l.shutdown_timeout, 10s);
    EXPECT_EQ(l.max_requests_per_connection, 10'000u);
    EXPECT_EQ(l.threads, 0u);
    EXPECT_EQ(l.blocked_handler_after, 20ms);
    EXPECT_EQ(l.max_threads, 256u);
    EXPECT_EQ(l.max_accept_backoff, 500ms);
}

TEST(Limits, TricklingClientIsCutOffWith408) {
    Limits limits;
    limits.request_timeout = 300ms;
    Server s(limits);
    RawClient client(s.port());
    // One byte at a time, never finishing: the deadline covers the whole head.
    const std::string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
    std::atomic<bool> answered{false};
    std::thread trickle([&] {
        for (std::size_t i = 0; i < request.size() && !answered; ++i) {
            client.send(request.substr(i, 1));
            std::this_thread::sleep_for(20ms);  // the slow client under test, not synchronisation
        }
    });
    auto r = client.read_response();
    answered = true;
    trickle.join();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
}

TEST(Limits, SlowClientsDoNotStarveANormalOne) {
    Limits limits;
    limits.threads = 1;
    Server s(limits);
    std::vector<std::unique_ptr<RawClient>> slow;
    for (int i = 0; i < 200; ++i) {
        slow.push_back(std::make_unique<RawClient>(s.port()));
        slow.back()->send("GET / HTTP/1.1\r\nHo");  // and then nothing
    }
    auto r = exchange(s.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST(Limits, IdleKeepAliveConnectionIsClosed) {
    Limits limits;
    limits.keep_alive_timeout = 100ms;
    Server s(limits);
    RawClient client(s.port());
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    EXPECT_TRUE(client.closed_by_server(5000ms));
}

TEST(Limits, RequestsPerConnectionAreCapped) {
    Limits limits;
    limits.max_requests_per_connection = 3;
    Server s(limits);
    RawClient client(s.port());
    for (int i = 1; i <= 3; ++i) {
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = client.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("Connection").value_or(""), i == 3 ? "close" : "");
    }
    EXPECT_TRUE(client.closed_by_server());
}

TEST(Limits, BodyOverTheLimitIs413) {
    Limits limits;
    limits.max_body_size = 10;
    Server s(limits);
    auto r = exchange(s.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    auto fits = exchange(s.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhelloworld");
    ASSERT_TRUE(fits);
    EXPECT_EQ(fits->body, "helloworld");
}

TEST(Limits, BodyThatStopsHalfWayIs408) {
    Limits limits;
    limits.request_timeout = 200ms;
    Server s(limits);
    RawClient client(s.port());
    client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 408);
}

#if !defined(__SANITIZE_THREAD__)
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
#endif

TEST(Limits, AcceptBacksOffWhenDescriptorsRunOutAndRecovers) {
    Limits limits;
    limits.max_accept_backoff = 50ms;
    Server s(limits);
    rlimit original{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
    // Use up every descriptor but one, which the client takes: the server's
    // accept then fails with EMFILE while the connection waits in the backlog.
    const int spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(spare, 0);
    int highest = spare;
    for (int fd = 0; fd < 65536; ++fd)
        if (fcntl(fd, F_GETFD) != -1) highest = fd;
    rlimit low = original;
    low.rlim_cur = static_cast<rlim_t>(highest + 1 + 32);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    std::vector<int> fillers;
    for (int fd; (fd = ::dup(spare)) >= 0;) fillers.push_back(fd);
    ::close(fillers.back());
    fillers.pop_back();
    RawClient waiting(s.port());
    waiting.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(s.log.wait_for("pausing until connections close"), "");

    // While it cannot accept, the server must not spin. Not measured under
    // ThreadSanitizer, whose own runtime spends CPU time unrelated to ours.
#if !defined(__SANITIZE_THREAD__)
    const double before = cpu_seconds();
    std::this_thread::sleep_for(300ms);  // the span measured, not synchronisation
    EXPECT_LT(cpu_seconds() - before, 0.15);
#endif

    for (const int fd : fillers) ::close(fd);  // descriptors come back
    ::close(spare);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &original), 0);
    auto r = waiting.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace mockserve::http
