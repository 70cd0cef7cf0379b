// HTTP/2 over real sockets. The handler tests run over every protocol a
// server with enable_http2() speaks (HTTP/1.1, h2c by prior knowledge, h2c
// by Upgrade, h2 by ALPN): one body, parameterised, so that a handler that
// works over one works over all. Then what only HTTP/2 has: concurrent
// streams, resets and GOAWAY per stream, its limits.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/certificate_authority.hpp>
#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/https_server.hpp>
#include <mockserve/simple_http_request_handler.hpp>

#include "support/h2_client.hpp"
#include "support/log_capture.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using test_support::H2Client;
using test_support::H2ClientOptions;
using test_support::H2Request;
using test_support::H2Response;
using test_support::LogCapture;
using test_support::Protocol;
using test_support::TempDir;

const CertificateAuthority& authority() {
    static const auto ca = CertificateAuthority::generate();
    return ca;
}

// A server of `factory` that speaks HTTP/2 (over TLS for Protocol::h2).
struct Server {
    Server(Protocol protocol, HandlerFactory factory, Limits limits = {}) : protocol(protocol) {
        if (protocol == Protocol::h2) {
            const auto leaf = authority().issue_server_certificate({"localhost", "127.0.0.1"});
            TlsOptions tls;
            tls.cert_pem = leaf.certificate_pem;
            tls.key_pem = leaf.private_key_pem;
            server = std::make_unique<HTTPSServer>(Address{"127.0.0.1", 0}, std::move(factory), tls, limits);
        } else {
            server = std::make_unique<HTTPServer>(Address{"127.0.0.1", 0}, std::move(factory), limits);
        }
        server->set_log_sink(log.sink());
        server->set_exchange_observer([this](Exchange&& e) {
            std::lock_guard lock(mutex);
            exchanges.push_back(std::move(e));
        });
        server->enable_http2();
        server->start();
    }
    std::uint16_t port() const { return server->server_port; }
    H2ClientOptions options() const { return {authority().certificate_pem()}; }
    H2Response fetch(const H2Request& request) const { return test_support::fetch(port(), protocol, request, options()); }
    H2Client client() const { return H2Client(port(), protocol, options()); }
    std::string version() const { return protocol == Protocol::http1 ? "HTTP/1.1" : "HTTP/2.0"; }

    Protocol protocol;
    LogCapture log;
    std::mutex mutex;
    std::vector<Exchange> exchanges;
    std::unique_ptr<HTTPServer> server;
};

void reply(BaseHTTPRequestHandler& h, int code, const std::string& body) {
    h.send_response(code);
    h.send_header("Content-Type", "text/plain");
    h.send_header("Content-Length", std::to_string(body.size()));
    h.end_headers();
    h.wfile.write(body);
}

// Says what it saw; echoes bodies; fails on request.
class EchoHandler : public BaseHTTPRequestHandler {
public:
    EchoHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        if (path == "/throw") throw std::runtime_error("on purpose");
        if (path == "/silent") return;
        if (path == "/unsized") {  // no Content-Length: the server frames it
            send_response(200);
            end_headers();
            wfile.write(std::string(200 * 1024, 'u'));
            return;
        }
        std::string text = "command=" + command + "\npath=" + path + "\nversion=" + request_version + "\n";
        for (const auto& [name, value] : headers) text += "header " + name + "=" + value + "\n";
        reply(*this, 200, text);
    }
    void do_HEAD() override { reply(*this, 200, "a body HEAD must not carry"); }
    void do_POST() override {
        const auto body = rfile.read();
        std::uint64_t sum = 0;
        for (const unsigned char c : body) sum = sum * 31 + c;
        reply(*this, 200, "size=" + std::to_string(body.size()) + " sum=" + std::to_string(sum));
    }
    void do_PUT() override {
        const auto line = rfile.readline();
        reply(*this, 201, "put " + line + "|" + rfile.read());
    }
};

std::uint64_t checksum(const std::string& body) {
    std::uint64_t sum = 0;
    for (const unsigned char c : body) sum = sum * 31 + c;
    return sum;
}

class EveryProtocol : public ::testing::TestWithParam<Protocol> {};

INSTANTIATE_TEST_SUITE_P(Http2, EveryProtocol,
                         ::testing::Values(Protocol::http1, Protocol::h2c, Protocol::h2c_upgrade, Protocol::h2),
                         [](const auto& info) { return test_support::protocol_name(info.param); });

TEST_P(EveryProtocol, AHandlerSeesTheRequestAsOverHttp11) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto r = s.fetch({"GET", "//a/b?q=1", {{"X-Thing", "one"}, {"Cookie", "a=1"}}, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, HasSubstr("command=GET\n"));
    EXPECT_THAT(r.body, HasSubstr("path=/a/b?q=1\n"));  // Python's "//" rule, whatever the protocol
    EXPECT_THAT(r.body, HasSubstr("version=" + s.version() + "\n"));
    EXPECT_THAT(r.body, HasSubstr("=127.0.0.1\n"));  // Host, or :authority as Host
    EXPECT_THAT(r.body, testing::ContainsRegex("header [Xx]-[Tt]hing=one\n"));
    EXPECT_THAT(r.body, testing::ContainsRegex("header [Cc]ookie=a=1\n"));
    EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
    if (GetParam() != Protocol::http1) {
        EXPECT_FALSE(r.header("connection"));  // HTTP/2 has none
    }
}

TEST_P(EveryProtocol, ABodyReachesRfileWhateverItsSize) {
    Server s(GetParam(), handler_class<EchoHandler>());
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100 * 1024}, std::size_t{3 * 1024 * 1024}}) {
        std::string body(size, '\0');
        for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + i * 7 % 26);
        // Over the Upgrade the body goes as HTTP/1.1, and must be read before the switch.
        if (GetParam() == Protocol::h2c_upgrade && size > 1024 * 1024) continue;
        const auto r = s.fetch({"POST", "/echo", {}, body});
        EXPECT_EQ(r.status, 200) << size;
        EXPECT_EQ(r.body, "size=" + std::to_string(size) + " sum=" + std::to_string(checksum(body))) << size;
    }
}

TEST_P(EveryProtocol, ReadlineThenReadTakeTheBodyInOrder) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto r = s.fetch({"PUT", "/x", {}, "first line\nthe rest"});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.body, "put first line\n|the rest");
}

TEST_P(EveryProtocol, HeadGetsTheHeadWithoutTheBody) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto r = s.fetch({"HEAD", "/", {}, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.header("content-length"), "26");
}

TEST_P(EveryProtocol, AMethodWithoutDoXIs501AndAnExceptionIs500) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto unsupported = s.fetch({"DELETE", "/x", {}, ""});
    EXPECT_EQ(unsupported.status, 501);
    EXPECT_THAT(unsupported.body, HasSubstr("Unsupported method ('DELETE')"));
    const auto failed = s.fetch({"GET", "/throw", {}, ""});
    EXPECT_EQ(failed.status, 500);
    EXPECT_THAT(failed.body, HasSubstr("on purpose"));
    const auto silent = s.fetch({"GET", "/silent", {}, ""});
    EXPECT_EQ(silent.status, 500);
    EXPECT_THAT(silent.body, HasSubstr("The handler sent no response"));
    EXPECT_THAT(s.log.wait_for("on purpose"), HasSubstr("on purpose"));
}

TEST_P(EveryProtocol, AnUnsizedBodyIsFramedByTheServer) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto r = s.fetch({"GET", "/unsized", {}, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, std::string(200 * 1024, 'u'));
}

TEST_P(EveryProtocol, TheExchangeRecordSaysTheVersionAndTheStream) {
    Server s(GetParam(), handler_class<EchoHandler>());
    const auto r = s.fetch({"GET", "/x", {}, ""});
    ASSERT_EQ(r.status, 200);
    std::lock_guard lock(s.mutex);
    ASSERT_EQ(s.exchanges.size(), 1u);
    const auto& e = s.exchanges[0];
    EXPECT_EQ(e.version, s.version());
    EXPECT_EQ(e.method, "GET");
    EXPECT_EQ(e.target, "/x");
    EXPECT_EQ(e.status, 200);
    EXPECT_EQ(e.stream_id, GetParam() == Protocol::http1 ? 0u : r.stream_id);
    EXPECT_EQ(e.end, Exchange::End::complete);
    if (GetParam() == Protocol::h2) {
        ASSERT_TRUE(e.tls);
        EXPECT_EQ(e.tls->alpn, "h2");
    }
}

struct Site {
    Site() {
        tmp.write("index.txt", "the index\n");
        tmp.write("docs/a.txt", "aaa\n");
        big.resize(5 * 1024 * 1024);
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 13 % 251);
        tmp.write("big.bin", big);
    }
    TempDir tmp;
    std::string big;
};

TEST_P(EveryProtocol, SimpleHttpRequestHandlerServesFilesRangesAndListings) {
    Site site;
    Server s(GetParam(), [&] { return std::make_unique<SimpleHTTPRequestHandler>(site.tmp.str()); });
    const auto file = s.fetch({"GET", "/index.txt", {}, ""});
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.body, "the index\n");
    EXPECT_EQ(file.header("content-type"), "text/plain");
    const auto range = s.fetch({"GET", "/docs/a.txt", {{"Range", "bytes=1-2"}}, ""});
    EXPECT_EQ(range.status, 206);
    EXPECT_EQ(range.body, "aa");
    const auto listing = s.fetch({"GET", "/docs/", {}, ""});
    EXPECT_EQ(listing.status, 200);
    EXPECT_THAT(listing.body, HasSubstr("a.txt"));
    const auto missing = s.fetch({"GET", "/nope", {}, ""});
    EXPECT_EQ(missing.status, 404);
    const auto moved = s.fetch({"GET", "/docs", {}, ""});
    EXPECT_EQ(moved.status, 301);
    EXPECT_EQ(moved.header("location"), "/docs/");
}

TEST_P(EveryProtocol, ALargeFileComesWholeThroughFlowControl) {
    Site site;
    Server s(GetParam(), [&] { return std::make_unique<SimpleHTTPRequestHandler>(site.tmp.str()); });
    const auto r = s.fetch({"GET", "/big.bin", {}, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-length"), std::to_string(site.big.size()));
    EXPECT_TRUE(r.body == site.big) << r.body.size();
}

TEST_P(EveryProtocol, CgiScriptsRunAndLearnTheProtocol) {
    TempDir tmp;
    std::filesystem::copy(std::string(MOCKSERVE_FIXTURES) + "/cgi-bin", tmp.path() / "cgi-bin",
                          std::filesystem::copy_options::recursive);
    ::chmod(tmp.path().c_str(), 0755);
    Server s(GetParam(), [&] {
        auto h = std::make_unique<CGIHTTPRequestHandler>(tmp.str());
        h->protocol_version = "HTTP/1.1";
        return h;
    });
    const auto env = s.fetch({"GET", "/cgi-bin/env.sh?x=1", {}, ""});
    EXPECT_EQ(env.status, 200);
    EXPECT_THAT(env.body, HasSubstr("SERVER_PROTOCOL=" + s.version() + "\n"));
    EXPECT_THAT(env.body, HasSubstr("QUERY_STRING=x=1\n"));
    const std::string body(300 * 1024, 'c');
    const auto echo = s.fetch({"POST", "/cgi-bin/echo.py", {{"Content-Length", std::to_string(body.size())}}, body});
    EXPECT_EQ(echo.status, 200);
    EXPECT_EQ(echo.header("x-body-length"), std::to_string(body.size()));
    EXPECT_TRUE(echo.body == body) << echo.body.size();
}

// Paced and delayed answers, as scenario streams use them.
class PacedHandler : public BaseHTTPRequestHandler {
public:
    PacedHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        send_response(200);
        send_header("Content-Type", "text/event-stream");
        end_headers();
        auto body = std::make_shared<PacedBody>();
        body->pieces = {"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"};
        body->pause = std::chrono::milliseconds(5);
        delay_response(std::chrono::milliseconds(20));
        pace_response(body);
    }
};

TEST_P(EveryProtocol, APacedBodyComesPieceByPieceAfterItsDelay) {
    Server s(GetParam(), handler_class<PacedHandler>());
    const auto started = std::chrono::steady_clock::now();
    const auto r = s.fetch({"GET", "/events", {}, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(30));
}

// ---------------------------------------------------------------------------
// What only HTTP/2 has

class Http2Only : public ::testing::TestWithParam<Protocol> {};

INSTANTIATE_TEST_SUITE_P(Http2, Http2Only, ::testing::Values(Protocol::h2c, Protocol::h2),
                         [](const auto& info) { return test_support::protocol_name(info.param); });

// /slow waits until /fast has been answered: served one after the other,
// the two would wait for each other until /slow gave up.
struct Meeting {
    std::mutex mutex;
    std::condition_variable changed;
    bool fast_done = false;
};

class MeetingHandler : public BaseHTTPRequestHandler {
public:
    explicit MeetingHandler(Meeting* meeting) : meeting_(meeting) {}
    void do_GET() override {
        if (path == "/slow") {
            std::unique_lock lock(meeting_->mutex);
            const bool met = meeting_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return meeting_->fast_done; });
            lock.unlock();
            return reply(*this, 200, met ? "slow, after fast" : "slow, alone");
        }
        reply(*this, 200, "fast");
        std::lock_guard lock(meeting_->mutex);
        meeting_->fast_done = true;
        meeting_->changed.notify_all();
    }

private:
    Meeting* meeting_;
};

TEST_P(Http2Only, AStreamThatWaitsDoesNotHoldBackTheOthers) {
    Meeting meeting;
    Server s(GetParam(), handler_class<MeetingHandler>(&meeting));
    auto client = s.client();
    const auto responses = client.fetch_all({{"GET", "/slow", {}, ""}, {"GET", "/fast", {}, ""}});
    EXPECT_EQ(responses[0].body, "slow, after fast");
    EXPECT_EQ(responses[1].body, "fast");
}

class FaultHandler : public BaseHTTPRequestHandler {
public:
    FaultHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        if (path == "/reset") return abort_connection(true);
        if (path == "/close") return abort_connection(false);
        if (path == "/truncate") {
            send_response(200);
            send_header("Content-Length", "10");
            end_headers();
            wfile.write("12345");
            wfile.flush();
            return abort_connection(false);
        }
        reply(*this, 200, "ok");
    }
};

TEST_P(Http2Only, AResetIsRstStreamForThatStreamAlone) {
    Server s(GetParam(), handler_class<FaultHandler>());
    auto client = s.client();
    const auto responses = client.fetch_all({{"GET", "/reset", {}, ""}, {"GET", "/ok", {}, ""}});
    EXPECT_EQ(responses[0].status, 0);
    EXPECT_TRUE(responses[0].reset);
    EXPECT_EQ(responses[1].body, "ok");
    // The connection lives on.
    EXPECT_EQ(client.fetch({"GET", "/ok", {}, ""}).body, "ok");
    EXPECT_FALSE(client.goaway());
    std::lock_guard lock(s.mutex);
    const auto reset = std::find_if(s.exchanges.begin(), s.exchanges.end(), [](const Exchange& e) { return e.target == "/reset"; });
    ASSERT_NE(reset, s.exchanges.end());
    EXPECT_EQ(reset->end, Exchange::End::reset);
}

TEST_P(Http2Only, ACloseBeforeTheResponseIsGoaway) {
    Server s(GetParam(), handler_class<FaultHandler>());
    auto client = s.client();
    const auto r = client.fetch({"GET", "/close", {}, ""});
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(client.goaway());
    EXPECT_TRUE(client.closed_by_server(std::chrono::seconds(5)));
}

TEST_P(Http2Only, ATruncatedBodyEndsWithRstStreamAfterWhatWasSent) {
    Server s(GetParam(), handler_class<FaultHandler>());
    auto client = s.client();
    const auto responses = client.fetch_all({{"GET", "/truncate", {}, ""}});
    EXPECT_EQ(responses[0].status, 200);
    EXPECT_EQ(responses[0].body, "12345");
    EXPECT_TRUE(responses[0].reset);
    EXPECT_EQ(client.fetch({"GET", "/ok", {}, ""}).body, "ok");  // the connection lives on
}

TEST_P(Http2Only, AHeaderListOverTheLimitIs431) {
    Limits limits;
    limits.max_header_bytes = 4 * 1024;
    Server s(GetParam(), handler_class<EchoHandler>(), limits);
    auto client = s.client();
    const auto r = client.fetch({"GET", "/", {{"X-Big", std::string(3 * 1024, 'x')}, {"X-Big2", std::string(3 * 1024, 'y')}}, ""});
    EXPECT_EQ(r.status, 431);
    EXPECT_EQ(client.fetch({"GET", "/", {}, ""}).status, 200);
}

TEST_P(Http2Only, ABodyOverMaxBodySizeIs413) {
    Limits limits;
    limits.max_body_size = 1000;
    Server s(GetParam(), handler_class<EchoHandler>(), limits);
    auto client = s.client();
    const auto r = client.fetch({"POST", "/", {{"Content-Length", "2000"}}, std::string(2000, 'b')});
    EXPECT_EQ(r.status, 413);
}

TEST_P(Http2Only, AfterMaxRequestsPerConnectionGoawayNamesTheLastStream) {
    Limits limits;
    limits.max_requests_per_connection = 3;
    Server s(GetParam(), handler_class<EchoHandler>(), limits);
    auto client = s.client();
    const auto first = client.fetch_all({{"GET", "/1", {}, ""}, {"GET", "/2", {}, ""}, {"GET", "/3", {}, ""}});
    for (const auto& r : first) EXPECT_EQ(r.status, 200);
    EXPECT_EQ(client.goaway(), 0u);  // NO_ERROR: a polite end
    EXPECT_TRUE(client.closed_by_server(std::chrono::seconds(5)));
    EXPECT_EQ(s.client().fetch({"GET", "/4", {}, ""}).status, 200);  // a new connection serves again
}

TEST_P(Http2Only, ManyStreamsOnOneConnectionAllGetTheirAnswers) {
    Server s(GetParam(), handler_class<EchoHandler>());
    auto client = s.client();
    std::vector<H2Request> requests;
    for (int i = 0; i < 300; ++i) requests.push_back({"GET", "/n" + std::to_string(i), {}, ""});
    const auto responses = client.fetch_all(requests);
    for (int i = 0; i < 300; ++i) EXPECT_THAT(responses[i].body, HasSubstr("path=/n" + std::to_string(i) + "\n"));
}

TEST(Http2, AnUpgradeThatWaitsFor100ContinueIsServedOverHttp11) {
    Server s(Protocol::h2c_upgrade, handler_class<EchoHandler>());
    test_support::RawClient client(s.port());
    client.send("POST /x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(client.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
    client.send("hello");
    const auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.1");
    EXPECT_EQ(r->body, "size=5 sum=" + std::to_string(checksum("hello")));
}

TEST(Http2, AServerWithoutHttp2AnswersThePrefaceAsHttp11Would) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<EchoHandler>());
    server.quiet();
    server.start();
    H2Client client(server.server_port, Protocol::h2c, {{}, std::chrono::milliseconds(3000)});
    const auto r = client.fetch_all({{"GET", "/", {}, ""}});
    EXPECT_EQ(r[0].status, 0);
    EXPECT_FALSE(server.http2_enabled());
}

TEST(Http2, AnHttpsServerWithoutHttp2AgreesOnHttp11) {
    const auto leaf = authority().issue_server_certificate({"localhost", "127.0.0.1"});
    TlsOptions tls;
    tls.cert_pem = leaf.certificate_pem;
    tls.key_pem = leaf.private_key_pem;
    tls.alpn_protocols = {"h2", "http/1.1"};  // h2 is agreed only when the server speaks it
    HTTPSServer server({"127.0.0.1", 0}, handler_class<EchoHandler>(), tls);
    server.quiet();
    server.start();
    H2Client client(server.server_port, Protocol::h2, {authority().certificate_pem()});
    EXPECT_THAT(client.error(), HasSubstr("did not agree on h2 (ALPN 'http/1.1')"));
}

}  // namespace
}  // namespace mockserve::http
