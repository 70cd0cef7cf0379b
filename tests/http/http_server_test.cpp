// HTTPServer and ThreadingHTTPServer: life cycle, concurrency, shutdown.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/log_capture.hpp"
#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <latch>
#include <thread>

namespace mockserve::http {
namespace {

using mockserve::test_support::exchange;
using mockserve::test_support::LogCapture;
using mockserve::test_support::RawClient;

class HelloHandler : public BaseHTTPRequestHandler {
public:
    HelloHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        const std::string body = "hello " + path;
        send_response(200);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }
};

// A handler that blocks until the test lets it go: Python-style code that
// waits on something (a lock, a slow upstream, a sleep).
struct Gate {
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released{release.get_future().share()};
};

class GatedHandler : public HelloHandler {
public:
    explicit GatedHandler(Gate* gate) : gate_(gate) {}
    void do_GET() override {
        if (path == "/block") {
            gate_->entered.set_value();
            gate_->released.wait();
        }
        HelloHandler::do_GET();
    }

private:
    Gate* gate_;
};

TEST(HTTPServer, BindsAnEphemeralPortAndNamesIt) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    EXPECT_NE(server.server_port, 0);
    EXPECT_EQ(server.server_address.port, server.server_port);
    EXPECT_EQ(server.server_address.host, "127.0.0.1");
    EXPECT_EQ(server.server_name, "localhost");
    EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.server_port));
}

TEST(HTTPServer, StartServesAtOnceAndStopIsIdempotent) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    server.start();
    server.start();
    auto r = exchange(server.server_port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello /x");
    server.shutdown();
    server.stop();
    server.shutdown();
    EXPECT_EQ(server.connection_count(), 0u);
}

TEST(HTTPServer, ShutdownReleasesThePortAtOnce) {
    std::uint16_t port = 0;
    {
        HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
        server.quiet();
        server.start();
        port = server.server_port;
        ASSERT_TRUE(exchange(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        server.shutdown();
        EXPECT_THROW(RawClient{port}, std::runtime_error);
    }
    HTTPServer again({"127.0.0.1", port}, handler_class<HelloHandler>());  // SO_REUSEADDR, as Python
    EXPECT_EQ(again.server_port, port);
}

TEST(HTTPServer, ServeForeverReturnsAfterShutdownFromAnotherThread) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    std::thread serving([&] { server.serve_forever(); });
    auto r = exchange(server.server_port, "GET /forever HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello /forever");
    server.shutdown();
    serving.join();
}

class StoppingHandler : public HelloHandler {
public:
    void do_GET() override {
        HelloHandler::do_GET();
        server->shutdown();  // from a handler: must not wait for its own thread
    }
};

TEST(HTTPServer, ShutdownFromAHandlerDoesNotDeadlock) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<StoppingHandler>());
    server.quiet();
    std::thread serving([&] { server.serve_forever(); });
    auto r = exchange(server.server_port, "GET /stop HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(r);
    serving.join();  // serve_forever returned by itself
}

TEST(HTTPServer, ShutdownLetsInFlightRequestsFinishAndClosesIdleConnections) {
    Gate gate;
    HTTPServer server({"127.0.0.1", 0}, handler_class<GatedHandler>(&gate));
    server.quiet();
    server.start();
    RawClient idle(server.server_port);
    idle.send("GET /idle HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(idle.read_response());
    RawClient busy(server.server_port);
    busy.send("GET /block HTTP/1.1\r\nHost: a\r\n\r\n");
    gate.entered.get_future().wait();

    auto stopped = std::async(std::launch::async, [&] { server.shutdown(); });
    EXPECT_TRUE(idle.closed_by_server());  // the idle keep-alive connection goes at once
    gate.release.set_value();
    auto r = busy.read_response();  // the busy one gets its answer, then is closed
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello /block");
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(busy.closed_by_server());
    stopped.get();
}

TEST(HTTPServer, HandleRequestServesOneConnection) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    auto client = std::async(std::launch::async, [&] {
        RawClient c(server.server_port);
        c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
        auto r = c.read_response();
        c.send("GET /two HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        auto r2 = c.read_response();
        return (r ? r->body : "") + "," + (r2 ? r2->body : "");
    });
    EXPECT_TRUE(server.handle_request());
    EXPECT_EQ(client.get(), "hello /one,hello /two");
}

class TimeoutServer : public HTTPServer {
public:
    using HTTPServer::HTTPServer;
    void handle_timeout() override { ++timeouts; }
    int timeouts = 0;
};

TEST(HTTPServer, HandleRequestRefusesWhileServing) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    server.start();
    EXPECT_THROW(server.handle_request(), std::logic_error);
}

TEST(HTTPServer, HandleRequestTimesOut) {
    TimeoutServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    server.timeout = std::chrono::milliseconds(50);
    EXPECT_FALSE(server.handle_request());
    EXPECT_EQ(server.timeouts, 1);
    // The socket still listens: the next call serves.
    server.timeout.reset();
    auto client = std::async(std::launch::async, [&] {
        return exchange(server.server_port, "GET /later HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    });
    EXPECT_TRUE(server.handle_request());
    auto r = client.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello /later");
}

TEST(HTTPServer, BlockedHandlerDoesNotStallOtherConnections) {
    Gate gate;
    Limits limits;
    limits.threads = 1;  // one I/O thread: only added threads can serve the others
    HTTPServer server({"127.0.0.1", 0}, handler_class<GatedHandler>(&gate), limits);
    server.quiet();
    server.start();
    RawClient blocked(server.server_port);
    blocked.send("GET /block HTTP/1.1\r\nHost: a\r\n\r\n");
    gate.entered.get_future().wait();
    for (int i = 0; i < 5; ++i) {
        auto r = exchange(server.server_port, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "hello /other");
    }
    gate.release.set_value();
    auto r = blocked.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "hello /block");
}

TEST(ThreadingHTTPServer, ServesManyConnectionsAtOnce) {
    ThreadingHTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    EXPECT_TRUE(server.daemon_threads);
    server.start();
    constexpr int kClients = 32;
    constexpr int kRequests = 20;
    // All clients connect before any sends: the server holds them all open.
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<RawClient>(server.server_port));
    std::vector<std::future<int>> done;
    for (int i = 0; i < kClients; ++i) {
        done.push_back(std::async(std::launch::async, [&, i] {
            int ok = 0;
            for (int j = 0; j < kRequests; ++j) {
                const auto path = "/c" + std::to_string(i) + "r" + std::to_string(j);
                clients[static_cast<std::size_t>(i)]->send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
                auto r = clients[static_cast<std::size_t>(i)]->read_response();
                if (r && r->body == "hello " + path) ++ok;
            }
            return ok;
        }));
    }
    int total = 0;
    for (auto& f : done) total += f.get();
    EXPECT_EQ(total, kClients * kRequests);
}

TEST(HTTPServer, PipelinedRequestsAreAnsweredInOrder) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();
    server.start();
    RawClient client(server.server_port);
    std::string burst;
    for (int i = 0; i < 10; ++i) burst += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
    client.send(burst);
    for (int i = 0; i < 10; ++i) {
        auto r = client.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "hello /" + std::to_string(i));
    }
}

TEST(HTTPServer, LogGoesToTheSinkOrNowhere) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    LogCapture log;
    server.set_log_sink(log.sink());
    server.start();
    ASSERT_TRUE(exchange(server.server_port, "GET /logged HTTP/1.1\r\nHost: a\r\n\r\n"));
    EXPECT_NE(log.wait_for("\"GET /logged HTTP/1.1\" 200 -"), "");
    server.quiet();
    ASSERT_TRUE(exchange(server.server_port, "GET /unlogged HTTP/1.1\r\nHost: a\r\n\r\n"));
    server.shutdown();
    for (const auto& line : log.lines()) EXPECT_EQ(line.find("/unlogged"), std::string::npos);
}

// Records every exchange the server reports, for a test to read.
class ExchangeLog {
public:
    ExchangeObserver observer() {
        return [this](Exchange&& e) {
            std::lock_guard lock(mutex_);
            exchanges_.push_back(std::move(e));
        };
    }
    std::vector<Exchange> taken() {
        std::lock_guard lock(mutex_);
        return std::move(exchanges_);
    }

private:
    std::mutex mutex_;
    std::vector<Exchange> exchanges_;
};

class AnnotatingHandler : public HelloHandler {
public:
    void do_GET() override {
        annotate_exchange(std::string("seen ") + path);
        if (path == "/reset") return abort_connection(true);
        if (path == "/throw") throw std::runtime_error("boom");
        if (path == "/break") {  // fails with part of its answer out
            send_response(200);
            send_header("Content-Length", "100");
            end_headers();
            wfile.write("part");
            wfile.flush();
            throw std::runtime_error("broke off");
        }
        HelloHandler::do_GET();
    }
};

TEST(HTTPServer, ReportsEveryExchangeBeforeItsAnswerLeaves) {
    ExchangeLog log;
    HTTPServer server({"127.0.0.1", 0}, handler_class<AnnotatingHandler>());
    server.quiet();
    server.set_exchange_observer(log.observer());
    server.start();
    RawClient client(server.server_port);
    client.send("GET //a?q=1 HTTP/1.1\r\nHost: x\r\nX-Tag: 1\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    auto seen = log.taken();  // the client has its answer: the record is there
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].request_line, "GET //a?q=1 HTTP/1.1");
    EXPECT_EQ(seen[0].method, "GET");
    EXPECT_EQ(seen[0].target, "//a?q=1");  // as sent, before Python's "//" rule
    EXPECT_EQ(seen[0].version, "HTTP/1.1");
    EXPECT_EQ(seen[0].headers.get("X-Tag", ""), "1");
    EXPECT_FALSE(seen[0].refusal);
    EXPECT_EQ(seen[0].status, 200);
    EXPECT_GT(seen[0].bytes_sent, 0u);
    EXPECT_EQ(seen[0].end, Exchange::End::complete);
    EXPECT_EQ(seen[0].client.host, "127.0.0.1");
    ASSERT_TRUE(std::any_cast<std::string>(&seen[0].annotation));
    EXPECT_EQ(std::any_cast<std::string>(seen[0].annotation), "seen /a?q=1");

    client.send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
    auto failed = client.read_response();
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->status, 500);
    seen = log.taken();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].status, 500);
    EXPECT_EQ(std::any_cast<std::string>(seen[0].annotation), "seen /throw");  // kept through the failure

    {
        RawClient reset(server.server_port);
        reset.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(reset.read_to_close(), "");
        RawClient broken(server.server_port);
        broken.send("GET /break HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_THAT(broken.read_to_close(), ::testing::EndsWith("\r\n\r\npart"));
        RawClient refused(server.server_port);
        refused.send("GET /x HTTP/1.2 extra\r\nHost: x\r\n\r\n");
        auto bad = refused.read_response();
        ASSERT_TRUE(bad);
        EXPECT_EQ(bad->status, 400);
    }
    server.shutdown();
    seen = log.taken();
    ASSERT_EQ(seen.size(), 3u);
    const auto by_target = [&](const std::string& target) -> const Exchange& {
        return *std::find_if(seen.begin(), seen.end(), [&](const Exchange& e) { return e.target == target; });
    };
    const auto& was_reset = by_target("/reset");
    const auto& was_refused =
        *std::find_if(seen.begin(), seen.end(), [](const Exchange& e) { return e.refusal.has_value(); });
    EXPECT_EQ(by_target("/break").end, Exchange::End::closed);
    EXPECT_EQ(by_target("/break").status, 200);
    EXPECT_EQ(was_reset.end, Exchange::End::reset);
    EXPECT_EQ(was_reset.status, 0);
    ASSERT_TRUE(was_refused.refusal);
    EXPECT_THAT(*was_refused.refusal, ::testing::HasSubstr("Bad request"));
    EXPECT_EQ(was_refused.method, "GET");
    EXPECT_EQ(was_refused.version, "");  // the request line was refused
    EXPECT_EQ(was_refused.status, 400);
    EXPECT_FALSE(was_refused.annotation.has_value());
}

TEST(HTTPServer, RejectsABadBindAddress) {
    EXPECT_THROW(HTTPServer({"not-an-address", 0}, handler_class<HelloHandler>()), std::invalid_argument);
    HTTPServer first({"127.0.0.1", 0}, handler_class<HelloHandler>());
    Limits limits;
    EXPECT_THROW(HTTPServer({"127.0.0.1", first.server_port}, handler_class<HelloHandler>(), limits),
                 std::runtime_error);
}

}  // namespace
}  // namespace mockserve::http
