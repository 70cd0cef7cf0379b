// Proxy routes over real sockets: a scenario's proxy route in front of a
// local upstream (another runner, or a small server of the test's own),
// what it forwards field by field, bodies streamed both ways in flat
// memory, pooled upstream connections, every failure as a 502 or 504 that
// names the upstream, an HTTPS upstream checked against the run's
// authority, and the journal's upstream facts.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/version.hpp>
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

namespace mockserve::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::Pair;
using test_support::RawClient;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

std::unique_ptr<ScenarioRunner> run(const std::string& ini) {
    auto loaded = parse_scenario(ini, "test.ini", std::filesystem::temp_directory_path());
    if (!loaded.ok()) {
        ADD_FAILURE() << ::testing::PrintToString(loaded.errors);
        return nullptr;
    }
    RunnerOptions options;
    options.notices = [](std::string_view) {};
    return std::make_unique<ScenarioRunner>(std::move(*loaded.scenario), options);
}

// A proxy scenario with one route in front of `upstream`, and `extra` keys.
std::unique_ptr<ScenarioRunner> proxy_to(const std::string& upstream, const std::string& extra = "") {
    return run("[server edge]\n[route edge pass]\nrequest = /v2/*\nproxy = " + upstream +
               "\nproxy.strip_prefix = /v2\n" + extra);
}

const char* const kUpstream = R"([server up]
[route up hello]
request = GET /hello
response = 200
response.header = Content-Type: text/plain
response.header = X-Upstream: yes
response.body = hello from upstream

[route up slow]
request = GET /slow
response = 200
response.delay = 3s

[route up reset]
request = GET /reset
response = 200
response.fault = reset

[route up truncate]
request = GET /truncate
response = 200
response.body = 0123456789012345678901234567890123456789
response.fault = truncate

[route up echo]
request = POST /echo
response = 201
response.template = on
response.body = got {{request.body}}
)";

// The journal records an exchange once its response has gone: a client can
// read the response first. Waits until `count` entries are there.
std::vector<RecordedRequest> recorded(const ScenarioRunner& runner, std::size_t count) {
    EXPECT_TRUE(runner.journal().wait_for([](const RecordedRequest&) { return true; }, count, std::chrono::seconds(10)))
        << "fewer than " << count << " requests were recorded";
    return runner.journal().entries();
}

std::string get(const std::string& target, const std::string& fields = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: edge.test\r\n" + fields + "\r\n";
}

TEST(ProxyRoute, ForwardsByTheIntermediaryRulesFieldByField) {
    auto upstream = run(kUpstream);
    auto edge = proxy_to(upstream->url("up"), "proxy.header = X-Injected: yes\nproxy.header = Authorization: Bearer staging\n");
    RawClient client(edge->port("edge"));
    client.send("GET /v2/hello?x=1 HTTP/1.1\r\nHost: edge.test\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eDp5\r\n"
                "Authorization: Bearer mine\r\nX-Forwarded-For: 203.0.113.9\r\nAccept: text/plain\r\n\r\n");
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello from upstream");
    EXPECT_EQ(response->header("X-Upstream"), "yes");
    EXPECT_EQ(response->header("Via"), "1.1 mockserve");
    EXPECT_EQ(response->header("Server"), "mockserve/" + std::string(mockserve::version));

    const auto seen = recorded(*upstream, 1);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].target, "/hello?x=1");
    const auto host = "127.0.0.1:" + std::to_string(upstream->port("up"));
    EXPECT_THAT(seen[0].headers,
                ElementsAre(Pair("Host", host), Pair("Accept", "text/plain"), Pair("X-Injected", "yes"),
                            Pair("Authorization", "Bearer staging"), Pair("Via", "1.1 mockserve"),
                            Pair("X-Forwarded-For", "203.0.113.9, 127.0.0.1"), Pair("X-Forwarded-Proto", "http"),
                            Pair("X-Forwarded-Host", "edge.test")));

    // The edge's journal says where the request went and what came back.
    const auto mine = recorded(*edge, 1);
    ASSERT_EQ(mine.size(), 1u);
    ASSERT_TRUE(mine[0].upstream);
    EXPECT_EQ(mine[0].upstream->url, upstream->url("up") + "/hello?x=1");
    EXPECT_EQ(mine[0].upstream->status, 200);
    EXPECT_GT(mine[0].upstream->time.count(), 0);
    EXPECT_EQ(mine[0].upstream->error, "");
    std::ostringstream printed;
    printed << mine[0];
    EXPECT_THAT(printed.str(), HasSubstr("-- forwarded to " + upstream->url("up") + "/hello?x=1: 200 in "));
}

TEST(ProxyRoute, TheDocumentsExampleForwardsAsWritten) {
    const std::filesystem::path file = std::filesystem::path(MOCKSERVE_EXAMPLES) / "proxy.ini";
    const auto loaded = load_scenario(file);
    ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(loaded.errors);
    const auto& proxy = std::get<Proxy>(loaded.scenario->servers.at(0).routes.at(1).action);
    EXPECT_EQ(proxy.url, "https://staging.example.com");
    EXPECT_EQ(proxy.strip_prefix, "/v2");
    EXPECT_EQ(proxy.headers, (std::vector<Field>{{"Authorization", "Bearer staging-token"}}));
    EXPECT_EQ(proxy.timeout, std::chrono::seconds(30));

    // The same file in front of a local upstream rather than staging.
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto upstream = run(kUpstream);
    auto local = text.str();
    local.replace(local.find("https://staging.example.com"), std::string("https://staging.example.com").size(),
                  upstream->url("up"));
    auto edge = run(local);
    RawClient client(edge->port("api"));
    client.send(get("/v2/hello"));
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "hello from upstream");
    EXPECT_EQ(recorded(*upstream, 1).at(0).header("Authorization"), "Bearer staging-token");
    // The next request on the connection is answered here, and its record says nothing of an upstream.
    client.send(get("/health"));
    const auto health = client.read_response();
    ASSERT_TRUE(health);
    EXPECT_EQ(health->body, "ok");
    const auto entries = recorded(*edge, 2);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_TRUE(entries[0].upstream);
    EXPECT_FALSE(entries[1].upstream);
}

TEST(ProxyRoute, TheBuilderMakesThemToo) {
    auto upstream = run(kUpstream);
    Proxy forwarding;
    forwarding.url = upstream->url("up") + "/";
    forwarding.strip_prefix = "/api";
    ScenarioBuilder builder;
    builder.server("edge").route("pass").request("/api/*").proxy(forwarding);
    ScenarioRunner edge(builder.build());
    const auto response = test_support::exchange(edge.port("edge"), get("/api/hello"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "hello from upstream");

    ScenarioBuilder bad;
    Proxy ftp;
    ftp.url = "ftp://x";
    bad.server("edge").route("pass").proxy(ftp);
    EXPECT_THROW(
        {
            try {
                (void)bad.build();
            } catch (const std::invalid_argument& e) {
                EXPECT_THAT(e.what(), HasSubstr("proxy = ftp://x: a proxy URL starts with http:// or https://"));
                throw;
            }
        },
        std::invalid_argument);
}

TEST(ProxyRoute, RequestBodiesGoUpWithTheirFraming) {
    auto upstream = run(kUpstream);
    auto edge = proxy_to(upstream->url("up"));
    RawClient client(edge->port("edge"));
    client.send("POST /v2/echo HTTP/1.1\r\nHost: e\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_THAT(client.read_response(), Optional(::testing::Field(&test_support::RawResponse::body, "got hello")));
    client.send("POST /v2/echo HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    EXPECT_THAT(client.read_response(), Optional(::testing::Field(&test_support::RawResponse::body, "got abcde")));
    client.send("POST /v2/echo HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_THAT(client.read_until("\r\n\r\n"), HasSubstr("100 Continue"));
    client.send("xyz");
    EXPECT_THAT(client.read_response(), Optional(::testing::Field(&test_support::RawResponse::body, "got xyz")));
    const auto seen = recorded(*upstream, 3);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].header("Content-Length"), "5");
    EXPECT_EQ(seen[1].header("Transfer-Encoding"), "chunked");  // streamed: its length is not known
    EXPECT_EQ(seen[2].header("Expect"), std::nullopt);  // the proxy answered it
}

TEST(ProxyRoute, UpstreamConnectionsArePooled) {
    auto upstream = run(kUpstream);
    auto edge = proxy_to(upstream->url("up"));
    for (int i = 0; i < 20; ++i) {
        // A new client connection each time: the upstream's stays.
        const auto response = test_support::exchange(edge->port("edge"), get("/v2/hello"));
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
    }
    std::set<std::string> connections;
    for (const auto& r : recorded(*upstream, 20)) connections.insert(r.client);
    EXPECT_EQ(connections.size(), 1u) << "20 requests one after the other need one upstream connection";

    // Four clients at once: at most four upstream connections, reused.
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c)
        clients.emplace_back([&] {
            RawClient client(edge->port("edge"));
            for (int i = 0; i < 10; ++i) {
                client.send(get("/v2/hello"));
                const auto response = client.read_response();
                EXPECT_TRUE(response && response->status == 200);
            }
        });
    for (auto& t : clients) t.join();
    connections.clear();
    for (const auto& r : recorded(*upstream, 60)) connections.insert(r.client);
    EXPECT_LE(connections.size(), 5u);
    EXPECT_EQ(upstream->journal().size(), 60u);
}

std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);  // nothing listens there now
    return ntohs(address.sin_port);
}

// A listener that answers each connection with `reply` and closes.
class RawUpstream {
public:
    explicit RawUpstream(std::string reply) : reply_(std::move(reply)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(fd_, 8);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            while (true) {
                const int client = ::accept(fd_, nullptr, nullptr);
                if (client < 0 || stopping_) {
                    if (client >= 0) ::close(client);
                    return;
                }
                char buffer[4096];
                (void)::recv(client, buffer, sizeof buffer, 0);
                (void)::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
                ::close(client);
            }
        });
    }
    ~RawUpstream() {
        stopping_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    std::string reply_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

TEST(ProxyRoute, FailuresAreAnswersThatNameTheUpstreamAndTheReason) {
    const auto refused_url = "http://127.0.0.1:" + std::to_string(closed_port());
    auto refused = proxy_to(refused_url);
    auto response = test_support::exchange(refused->port("edge"), get("/v2/x"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 502);
    EXPECT_EQ(response->body, "mockserve: route pass could not get a response from " + refused_url + "/x: connection refused\n");
    const auto entry = recorded(*refused, 1).at(0);
    ASSERT_TRUE(entry.upstream);
    EXPECT_EQ(entry.upstream->status, 0);
    EXPECT_EQ(entry.upstream->error, "connection refused");
    EXPECT_EQ(entry.status, 502);

    auto upstream = run(kUpstream);
    auto edge = proxy_to(upstream->url("up"), "proxy.timeout = 200ms\n");
    response = test_support::exchange(edge->port("edge"), get("/v2/slow"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 504);
    EXPECT_EQ(response->body, "mockserve: route pass could not get a response from " + upstream->url("up") +
                                  "/slow: timed out waiting for the response (proxy.timeout is 200 ms)\n");

    response = test_support::exchange(edge->port("edge"), get("/v2/reset"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 502);
    EXPECT_THAT(response->body, HasSubstr("/reset: connection reset by the upstream\n"));

    RawUpstream garbage("HELLO THERE\r\n\r\n");
    auto malformed = proxy_to(garbage.url());
    response = test_support::exchange(malformed->port("edge"), get("/v2/x"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 502);
    EXPECT_THAT(response->body, HasSubstr(garbage.url() + "/x: the upstream sent a malformed response head ("));

    RawUpstream silent("");
    auto closed = proxy_to(silent.url());
    response = test_support::exchange(closed->port("edge"), get("/v2/x"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 502);
    EXPECT_THAT(response->body, HasSubstr("the upstream closed the connection without a response"));

    // After the head has gone to the client, a failure can only end the connection.
    RawClient client(edge->port("edge"));
    client.send(get("/v2/truncate"));
    const auto cut = client.read_to_close();
    EXPECT_THAT(cut, HasSubstr("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(cut, HasSubstr("Content-Length: 40\r\n"));
    ASSERT_TRUE(edge->journal().wait_for([](const RecordedRequest& r) { return r.path == "/v2/truncate"; }, 1,
                                         std::chrono::seconds(10)));
    for (const auto& r : edge->journal().entries()) {
        if (r.path != "/v2/truncate") continue;
        ASSERT_TRUE(r.upstream);
        EXPECT_EQ(r.upstream->status, 200);
        EXPECT_EQ(r.upstream->error, "the upstream closed the connection before the end of the body (after the response head)");
    }
}

TEST(ProxyRoute, HttpsUpstreamsAreCheckedAgainstTheGivenAuthority) {
    auto upstream = run(std::string("[server up]\ntls = on\n") + std::string(kUpstream).substr(std::string("[server up]\n").size()));
    ASSERT_FALSE(upstream->ca_file().empty());
    auto trusted = proxy_to(upstream->url("up"), "proxy.ca_file = " + upstream->ca_file() + "\n");
    auto response = test_support::exchange(trusted->port("edge"), get("/v2/hello"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello from upstream");
    EXPECT_EQ(recorded(*upstream, 1).at(0).tls->alpn, "http/1.1");

    // The system's store does not know the run's authority.
    auto system = proxy_to(upstream->url("up"));
    response = test_support::exchange(system->port("edge"), get("/v2/hello"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 502);
    EXPECT_THAT(response->body, HasSubstr("the upstream's certificate was refused: "));

    std::vector<std::string> notices;
    auto loaded = parse_scenario("[server edge]\n[route edge pass]\nproxy = " + upstream->url("up") + "\nproxy.insecure = on\n",
                                 "insecure.ini", "/");
    ASSERT_TRUE(loaded.ok());
    RunnerOptions options;
    options.notices = [&](std::string_view line) { notices.emplace_back(line); };
    ScenarioRunner insecure(std::move(*loaded.scenario), options);
    response = test_support::exchange(insecure.port("edge"), get("/hello"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(notices, ElementsAre("mockserve: route pass: proxy.insecure = on: the certificate of " +
                                     std::string("https://127.0.0.1:") + std::to_string(upstream->port("up")) +
                                     " is not checked"));
}

// An upstream for large bodies: POST reads the body piece by piece and
// answers its size (POST /think: 100 ms later); GET /bytes/N answers N bytes made piece by piece
// (/chunked/N: without a Content-Length). Nothing is held whole.
class Bulk : public http::BaseHTTPRequestHandler {
public:
    Bulk() { protocol_version = "HTTP/1.1"; }
    void do_POST() override {
        std::uint64_t size = 0, sum = 0;
        std::string piece(64 * 1024, '\0');
        while (const auto got = rfile.read(piece.data(), piece.size())) {
            size += got;
            for (std::size_t i = 0; i < got; ++i) sum += static_cast<unsigned char>(piece[i]);
        }
        const auto text = std::to_string(size) + " " + std::to_string(sum);
        // An upstream that takes its time to answer (its own pace, not a synchronisation).
        if (path == "/think") std::this_thread::sleep_for(std::chrono::milliseconds(100));
        send_response(200);
        send_header("Content-Length", std::to_string(text.size()));
        end_headers();
        wfile.write(text);
    }
    void do_GET() override {
        const bool chunked = path.rfind("/chunked/", 0) == 0;
        const auto size = std::stoull(path.substr(path.rfind('/') + 1));
        send_response(200);
        if (!chunked) send_header("Content-Length", std::to_string(size));
        end_headers();
        std::string piece(64 * 1024, 'z');
        for (std::uint64_t sent = 0; sent < size; sent += piece.size())
            wfile.write(std::string_view(piece).substr(0, std::min<std::uint64_t>(piece.size(), size - sent)));
    }
    void log_message(std::string_view) override {}
};

TEST(ProxyRoute, ATimeoutBoundsEachWaitNotAWholeSlowUpload) {
    http::ThreadingHTTPServer bulk({"127.0.0.1", 0}, http::handler_class<Bulk>());
    bulk.start();
    auto edge = proxy_to(bulk.url(), "proxy.timeout = 300ms\n");
    RawClient client(edge->port("edge"));
    client.send("POST /v2/think HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n");
    // More than the server reads ahead of the handler (Limits::body_buffer_size, 1 MiB): the rest streams.
    client.send("100000\r\n" + std::string(1 << 20, 'a') + "\r\n");
    // Then a client's pace: five pieces 150 ms apart, 750 ms in all, each wait well within 300 ms.
    for (int i = 0; i < 5; ++i) {
        client.send("64\r\n" + std::string(100, 'a') + "\r\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
    client.send("0\r\n\r\n");
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    const std::uint64_t size = (1 << 20) + 500;
    EXPECT_EQ(response->body, std::to_string(size) + " " + std::to_string(size * 'a'));
    bulk.shutdown();
}

std::uint64_t peak_resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
    return 0;
}

TEST(ProxyRoute, BodiesStreamBothWaysInFlatMemory) {
    const std::uint64_t size = kSanitized ? 16u << 20 : 100u << 20;
    http::ThreadingHTTPServer bulk({"127.0.0.1", 0}, http::handler_class<Bulk>());
    bulk.start();
    auto edge = proxy_to(bulk.url());
    const auto before = peak_resident_kib();

    // Up: a body of `size` bytes, sent with a Content-Length and then chunked.
    std::string piece(1 << 20, 'a');
    const auto expected = std::to_string(size) + " " + std::to_string(size * 'a');
    for (const bool chunked : {false, true}) {
        RawClient client(edge->port("edge"));
        client.send("POST /v2/upload HTTP/1.1\r\nHost: e\r\n" +
                    (chunked ? std::string("Transfer-Encoding: chunked\r\n") : "Content-Length: " + std::to_string(size) + "\r\n") +
                    "\r\n");
        for (std::uint64_t sent = 0; sent < size; sent += piece.size()) {
            if (chunked) client.send("100000\r\n");
            client.send(piece);
            if (chunked) client.send("\r\n");
        }
        if (chunked) client.send("0\r\n\r\n");
        const auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body, expected) << (chunked ? "chunked" : "with a length");
    }
    // Down: `size` bytes with a Content-Length, then without one (chunked to
    // the client), read and counted as they come, never held.
    for (const std::string kind : {"bytes", "chunked"}) {
        RawClient client(edge->port("edge"));
        client.send("GET /v2/" + kind + "/" + std::to_string(size) + " HTTP/1.1\r\nHost: e\r\nConnection: close\r\n\r\n");
        std::string head;  // up to the blank line; then only counted
        bool head_done = false;
        std::uint64_t received = 0;
        std::string tail;
        std::string buffer(1 << 16, '\0');
        while (true) {
            const auto got = ::recv(client.fd(), buffer.data(), buffer.size(), 0);
            if (got <= 0) break;
            std::string_view piece(buffer.data(), static_cast<std::size_t>(got));
            if (!head_done) {
                head.append(piece);
                const auto end = head.find("\r\n\r\n");
                if (end == std::string::npos) continue;
                piece = std::string_view(buffer.data() + got - (head.size() - end - 4), head.size() - end - 4);
                head.resize(end + 4);
                head_done = true;
            }
            received += piece.size();
            tail = (tail + std::string(piece)).substr(std::max<std::size_t>(tail.size() + piece.size(), 16) - 16);
        }
        EXPECT_THAT(head, HasSubstr(kind == "bytes" ? "Content-Length: " + std::to_string(size) : "Transfer-Encoding: chunked"));
        if (kind == "bytes") {
            EXPECT_EQ(received, size);
        } else {
            EXPECT_GT(received, size);  // the chunks' framing besides
            EXPECT_EQ(tail.substr(tail.size() - 5), "0\r\n\r\n");
        }
    }
    // The journal keeps its cap of each body, and the real size.
    const auto entries = recorded(*edge, 4);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].body_size, size);
    EXPECT_TRUE(entries[0].body_truncated);
    EXPECT_EQ(entries[0].body.size(), 1u << 20);
    // Four times `size` passed through the proxy (and the upstream, in this
    // process too); the peak grew by the buffers in flight, not by bodies.
    // (Under the sanitizers freed memory is held back on purpose.)
    if (!kSanitized) {
        const auto grown_mib = (peak_resident_kib() - before) / 1024;
        std::cout << "peak memory grew by " << grown_mib << " MiB while " << 4 * size / (1 << 20) << " MiB passed\n";
        EXPECT_LT(grown_mib, 40u) << "peak memory grew by " << grown_mib << " MiB while " << 4 * size / (1 << 20)
                                  << " MiB passed";
    }
    bulk.shutdown();
}

}  // namespace
}  // namespace mockserve::scenario
