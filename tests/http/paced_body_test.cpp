// Paced bodies (BaseHTTPRequestHandler::pace_response): pieces leave one by
// one with pauses between them, framed as the head says, on timers rather
// than threads, and a stream ends when the server shuts down.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace mockserve::http {
namespace {

using namespace std::chrono_literals;
using mockserve::test_support::RawClient;
using Clock = std::chrono::steady_clock;

constexpr auto kPause = 40ms;

// /length: "0123456789" with its Content-Length, in five pieces;
// /chunked: the same without a length; /endless: "tick\n" until the client
// leaves.
class PacingHandler : public BaseHTTPRequestHandler {
public:
    PacingHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        auto body = std::make_shared<PacedBody>();
        body->pause = path == "/slow" ? 300ms : kPause;
        if (path == "/endless") {
            body->pieces = {"tick\n"};
            body->repeat = true;
        } else {
            body->pieces = {"01", "23", "45", "67", "89"};
        }
        send_response(200);
        if (path == "/length" || path == "/slow") send_header("Content-Length", "10");
        end_headers();
        pace_response(std::move(body));
    }
    void do_HEAD() override { do_GET(); }
};

std::size_t thread_count() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("Threads:", 0) == 0) return std::stoul(line.substr(8));
    return 0;
}

// A quiet server of PacingHandler, started, on a free port.
struct PacingServer : ThreadingHTTPServer {
    explicit PacingServer(const Limits& limits = {})
        : ThreadingHTTPServer({"127.0.0.1", 0}, handler_class<PacingHandler>(), limits) {
        quiet();
        start();
    }
};

TEST(PacedBody, PiecesWithALengthLeaveWithPausesAndTheConnectionStays) {
    PacingServer server;
    RawClient client(server.server_port);
    const auto start = Clock::now();
    client.send("GET /length HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_GE(Clock::now() - start, 4 * kPause);  // four pauses between five pieces
    EXPECT_EQ(response->header("Content-Length"), "10");
    EXPECT_FALSE(response->chunked);
    EXPECT_EQ(response->body, "0123456789");
    // The body was whole: the connection serves the next request.
    client.send("GET /length HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto again = client.read_response();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, "0123456789");
}

TEST(PacedBody, WithoutALengthEachPieceIsAChunk) {
    PacingServer server;
    RawClient client(server.server_port);
    client.send("GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto raw = client.read_until("\r\n0\r\n\r\n");  // the last chunk: the connection stays open after it
    EXPECT_THAT(raw, ::testing::HasSubstr("Transfer-Encoding: chunked\r\n"));
    EXPECT_THAT(raw, ::testing::EndsWith("\r\n\r\n2\r\n01\r\n2\r\n23\r\n2\r\n45\r\n2\r\n67\r\n2\r\n89\r\n0\r\n\r\n"));
}

TEST(PacedBody, TheHeadSaysWhetherTheConnectionStays) {
    PacingServer server;
    RawClient closing(server.server_port);
    closing.send("GET /length HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_THAT(closing.read_to_close(), ::testing::AllOf(::testing::HasSubstr("\r\nConnection: close\r\n"),
                                                          ::testing::EndsWith("\r\n\r\n0123456789")));
    RawClient old(server.server_port);
    old.send("GET /length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const auto response = old.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("Connection"), "keep-alive");
    EXPECT_EQ(response->body, "0123456789");
}

TEST(PacedBody, AnHttp10ClientGetsTheBodyUntilTheClose) {
    PacingServer server;
    RawClient client(server.server_port);
    client.send("GET /chunked HTTP/1.0\r\n\r\n");
    const auto text = client.read_to_close();
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("chunked")));
    EXPECT_THAT(text, ::testing::EndsWith("\r\n\r\n0123456789"));
}

TEST(PacedBody, HeadSendsNoPiecesAndNoPauses) {
    PacingServer server;
    RawClient client(server.server_port);
    client.send("HEAD /length HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto response = client.read_response(true);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    client.send("GET /length HTTP/1.1\r\nHost: x\r\n\r\n");  // the connection is ready at once
    const auto next = client.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "0123456789");
}

TEST(PacedBody, AnEndlessStreamRepeatsAndEndsWithTheShutdown) {
    Limits limits;
    limits.shutdown_timeout = 60s;  // the stream must end because of the shutdown, not the grace time
    PacingServer server(limits);
    RawClient client(server.server_port);
    client.send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n");
    auto text = client.read_until("tick\n\r\n5\r\ntick\n\r\n5\r\ntick\n");  // three rounds
    const auto start = Clock::now();
    server.shutdown();
    EXPECT_LT(Clock::now() - start, 10s);
    text += client.read_to_close();
    EXPECT_THAT(text, ::testing::EndsWith("tick\n\r\n0\r\n\r\n"));  // a whole body, then the close
}

TEST(PacedBody, ManySlowStreamsHoldNoThreads) {
    PacingServer server;
    const auto before = thread_count();
    constexpr int kStreams = 300;
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kStreams; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.server_port));
        clients.back()->send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    // Each stream has begun (its head and first piece are here); with four
    // pauses of 300 ms left, they are all in flight at once.
    for (auto& client : clients) client->read_until("\r\n\r\n01");
    EXPECT_LE(thread_count(), before + 2) << "a paced stream should wait on a timer, not a thread";
    for (auto& client : clients) EXPECT_EQ(client->read_until("89"), "23456789");
}

}  // namespace
}  // namespace mockserve::http
