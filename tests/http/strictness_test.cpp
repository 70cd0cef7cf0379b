// The strictness policy, rule by rule, with raw bytes over a socket. Each
// framing error must be answered and must close the connection, so that the
// bytes behind it are never read as another request.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

namespace mockserve::http {
namespace {

using mockserve::test_support::RawClient;

// Records every path a handler saw, to prove smuggled requests never reach one.
struct Seen {
    std::mutex mutex;
    std::vector<std::string> paths;
    bool contains(const std::string& path) {
        std::lock_guard lock(mutex);
        return std::find(paths.begin(), paths.end(), path) != paths.end();
    }
};

class RecordingHandler : public BaseHTTPRequestHandler {
public:
    explicit RecordingHandler(Seen* seen) : seen_(seen) { protocol_version = "HTTP/1.1"; }
    void do_GET() override { answer(); }
    void do_POST() override { answer(); }

private:
    void answer() {
        {
            std::lock_guard lock(seen_->mutex);
            seen_->paths.push_back(path);
        }
        const auto body = rfile.read();
        send_response(200);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }
    Seen* seen_;
};

struct Case {
    const char* name;
    std::string request;
    int status;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class Strictness : public ::testing::TestWithParam<Case> {
protected:
    Strictness() : server({"127.0.0.1", 0}, handler_class<RecordingHandler>(&seen), limits()) {
        server.quiet();
        server.start();
    }
    static Limits limits() {
        Limits l;
        l.max_request_line = 1024;
        l.max_header_bytes = 4096;
        l.max_header_count = 20;
        l.max_body_size = 1000;
        l.max_chunk_line = 100;
        l.max_trailer_bytes = 200;
        return l;
    }
    Seen seen;
    HTTPServer server;
};

// Every request below is followed on the same connection by a valid request
// for /smuggled: it must never be served.
TEST_P(Strictness, AnswersAndClosesTheConnection) {
    const auto& c = GetParam();
    RawClient client(server.server_port);
    client.send(c.request + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(client.closed_by_server());
    EXPECT_FALSE(seen.contains("/smuggled"));
}

const std::string kHost = "Host: x\r\n";

INSTANTIATE_TEST_SUITE_P(
    RequestLine, Strictness,
    ::testing::Values(
        Case{"no version", "GET /\r\n\r\n", 400},
        Case{"two spaces", "GET  / HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"four words", "GET / x HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"bad method", "GE(T / HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"garbage version", "GET / HTTP/x.y\r\n" + kHost + "\r\n", 400},
        Case{"lowercase version", "GET / http/1.1\r\n" + kHost + "\r\n", 400},
        Case{"http 2", "GET / HTTP/2.0\r\n" + kHost + "\r\n", 505},
        Case{"http 3", "GET / HTTP/3.0\r\n" + kHost + "\r\n", 505},
        Case{"control character in target", "GET /a\x7f HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"bare CR in request line", "GET /\r HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"request line too long", "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\n" + kHost + "\r\n", 414},
        // Target forms (RFC 9112 section 3.2).
        Case{"origin form without slash", "GET a.txt HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"asterisk form for GET", "GET * HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"authority form for GET", "GET x:80 HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"absolute form other scheme", "GET ftp://x/a HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"absolute form with userinfo", "GET http://user:pw@x/a HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"absolute form without host", "GET http:///a HTTP/1.1\r\n" + kHost + "\r\n", 400},
        Case{"absolute form bad port", "GET http://x:8o/a HTTP/1.1\r\n" + kHost + "\r\n", 400}),
    [](const auto& info) {
        std::string name = info.param.name;
        for (auto& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

INSTANTIATE_TEST_SUITE_P(
    Fields, Strictness,
    ::testing::Values(
        Case{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
        Case{"obs fold", "GET / HTTP/1.1\r\n" + kHost + "X-A: 1\r\n 2\r\n\r\n", 400},
        Case{"bare CR in value", "GET / HTTP/1.1\r\n" + kHost + "X-A: 1\r2\r\n\r\n", 400},
        Case{"NUL in value", "GET / HTTP/1.1\r\n" + kHost + std::string("X-A: 1\0 2\r\n\r\n", 12), 400},
        Case{"escape in value", "GET / HTTP/1.1\r\n" + kHost + "X-A: \x1b[1m\r\n\r\n", 400},
        Case{"no colon", "GET / HTTP/1.1\r\n" + kHost + "Garbage\r\n\r\n", 400},
        Case{"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
        Case{"repeated Host", "GET / HTTP/1.1\r\n" + kHost + kHost + "\r\n", 400},
        // Host is uri-host [ ":" port ] (RFC 9112 section 3.2).
        Case{"Host with a space", "GET / HTTP/1.1\r\nHost: l ocalhost\r\n\r\n", 400},
        Case{"Host with a slash", "GET / HTTP/1.1\r\nHost: loc/al\r\n\r\n", 400},
        Case{"Host as a list", "GET / HTTP/1.1\r\nHost: localhost, other\r\n\r\n", 400},
        Case{"Host with userinfo", "GET / HTTP/1.1\r\nHost: user:pw@localhost\r\n\r\n", 400},
        Case{"Host port not digits", "GET / HTTP/1.1\r\nHost: localhost:abc\r\n\r\n", 400},
        Case{"Host not ASCII", "GET / HTTP/1.1\r\nHost: caf\xc3\xa9\r\n\r\n", 400},
        Case{"Host bad percent", "GET / HTTP/1.1\r\nHost: a%4\r\n\r\n", 400},
        Case{"Host IPv6 unclosed", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400},
        Case{"Host IPv6 then garbage", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400},
        Case{"too many fields", "GET / HTTP/1.1\r\n" + kHost + [] {
                 std::string s;
                 for (int i = 0; i < 25; ++i) s += "X-" + std::to_string(i) + ": v\r\n";
                 return s;
             }() + "\r\n", 431},
        Case{"head too large", "GET / HTTP/1.1\r\n" + kHost + "X-Big: " + std::string(5000, 'b') + "\r\n\r\n", 431}),
    [](const auto& info) {
        std::string name = info.param.name;
        for (auto& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

INSTANTIATE_TEST_SUITE_P(
    Framing, Strictness,
    ::testing::Values(
        Case{"CL then TE", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        Case{"TE then CL", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400},
        Case{"TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        Case{"TE not ending in chunked", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400},
        Case{"TE compression alone", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: gzip\r\n\r\n", 400},
        Case{"TE unregistered coding", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501},
        Case{"TE chunked with a parameter", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 501},
        Case{"TE coding before chunked", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
        Case{"CL plus sign", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: +5\r\n\r\nhello", 400},
        Case{"CL negative", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: -1\r\n\r\n", 400},
        Case{"CL hex", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 0x10\r\n\r\n", 400},
        Case{"CL underscore", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 1_0\r\n\r\n", 400},
        Case{"CL empty", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: \r\n\r\n", 400},
        Case{"CL overflow", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 99999999999999999999999\r\n\r\n", 400},
        Case{"CL differing", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
        Case{"CL over limit", "POST / HTTP/1.1\r\n" + kHost + "Content-Length: 1001\r\n\r\n", 413},
        Case{"chunk size hex prefix", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk size negative", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk size plus", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk size underscore", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n1_0\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk size empty", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk size overflow", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk data too long", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk bare LF", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400},
        Case{"chunk extension unbounded", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n5;" + std::string(500, 'e') + "\r\nhello\r\n0\r\n\r\n", 400},
        Case{"trailers unbounded", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n0\r\n" + [] {
                 std::string s;
                 for (int i = 0; i < 30; ++i) s += "T-" + std::to_string(i) + ": vvvvvvvv\r\n";
                 return s;
             }() + "\r\n", 400},
        Case{"chunked body over limit", "POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n3e9\r\n" + std::string(1001, 'x') + "\r\n0\r\n\r\n", 413}),
    [](const auto& info) {
        std::string name = info.param.name;
        for (auto& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

class Valid : public Strictness {};

TEST_F(Valid, AcceptsWhatTheRulesAllow) {
    const std::string requests[] = {
        "\r\nGET /leading-empty-line HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /bare-lf HTTP/1.1\nHost: x\n\n",
        "POST /same-length-twice HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "POST /chunked-uppercase HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        "GET /http10-without-host HTTP/1.0\r\n\r\n",
        "GET /obs-text HTTP/1.1\r\nHost: x\r\nX-Name: caf\xc3\xa9\r\n\r\n",
        "GET /host-with-port HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        "GET /host-ipv6 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
        "GET /host-empty HTTP/1.1\r\nHost:\r\n\r\n",
        "GET /host-empty-port HTTP/1.1\r\nHost: example.com:\r\n\r\n",
        "GET /host-percent HTTP/1.1\r\nHost: a%41b.example\r\n\r\n",
    };
    for (const auto& request : requests) {
        RawClient client(server.server_port);
        client.send(request);
        auto r = client.read_response();
        ASSERT_TRUE(r) << request;
        EXPECT_EQ(r->status, 200) << request;
    }
}

TEST_F(Valid, AbsoluteFormIsServedByItsPathWithItsAuthorityAsHost) {
    // What every client sends to a proxy; an origin server MUST accept it
    // (RFC 9112 section 3.2.2) and ignore the Host field for the URL's.
    for (const auto& [request, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET http://localhost/absolute?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", "/absolute?q=1"},
             {"GET HTTPS://LOCALHOST:8443 HTTP/1.1\r\nHost: x\r\n\r\n", "/"},
             {"GET http://localhost?only=query HTTP/1.0\r\n\r\n", "/?only=query"},
             {"GET http://[::1]:8080/v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "/v6"}}) {
        RawClient client(server.server_port);
        client.send(request);
        auto r = client.read_response();
        ASSERT_TRUE(r) << request;
        EXPECT_EQ(r->status, 200) << request;
        EXPECT_TRUE(seen.contains(path)) << request;
    }
}

TEST_F(Valid, ALaterHttp1MinorVersionIsServedAsHttp11) {
    // RFC 9110 section 2.5: a recipient treats a higher minor version of a
    // major it implements as the highest it implements. Found by
    // request_head_fuzzer, whose property had wrongly asked for 1.1 exactly.
    RawClient client(server.server_port);
    client.send("POST /http12 HTTP/1.2\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.1");
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    // The connection stays, as an HTTP/1.1 one does: it answers the next
    // request (rather than wait ten seconds to see that it does not close).
    client.send("POST /again HTTP/1.2\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    const auto again = client.read_response();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, "hi");
}

TEST_F(Valid, AsteriskFormReachesOptions) {
    // Accepted, then answered by the handler: this one has no do_OPTIONS.
    RawClient client(server.server_port);
    client.send("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501);
}

TEST_F(Valid, AnHttp09RequestLineIsAnsweredAtOnce) {
    // No version, so no header block can follow: 400 now (waiting for a
    // header block would end in 408 after request_timeout), and closed.
    RawClient client(server.server_port);
    client.send("GET /x\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->reason, "Bad request syntax ('GET /x')");
    EXPECT_TRUE(client.closed_by_server());
}

}  // namespace
}  // namespace mockserve::http
