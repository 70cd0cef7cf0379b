// How the journal keeps an entry: every field comes back as packed, a long
// body is cut to the cap, and dropping the body keeps the rest.
#include "packed_request.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace mockserve::scenario::detail {
namespace {

std::string printed(const RecordedRequest& r) {
    std::ostringstream out;
    out << r;
    return out.str();
}

RecordedRequest everything() {
    RecordedRequest r;
    r.sequence = 42;
    r.server = "api";
    r.route = "create-payment";
    r.method = "POST";
    r.target = "/v1/payments?x=1&y=%20";
    r.path = "/v1/payments";
    r.query = {{"x", "1"}, {"y", " "}};
    r.version = "HTTP/2.0";
    r.stream_id = 7;
    r.headers = {{"Host", "a"}, {"Content-Type", "application/json"}, {"X-Empty", ""}};
    r.body = std::string("{\"amount\": 10}\0binary", 21);
    r.body_size = 21;
    r.client = "127.0.0.1:54321";
    r.tls = http::TlsFacts{"TLSv1.3", "TLS_AES_256_GCM_SHA384", "localhost", "h2", "CN=client"};
    r.received = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1'764'000'000'123'456'789));
    r.answered = true;
    r.status = 201;
    r.bytes_sent = 345;
    r.duration = std::chrono::microseconds(1234);
    r.explanation = "why";
    r.unmatched = false;
    r.state = "start";
    r.next_state = "created";
    r.delay = std::chrono::milliseconds(250);
    r.fault = "truncate";
    r.upstream = UpstreamFacts{"https://staging.example.com:443/v1/payments", 502, std::chrono::microseconds(77),
                               "connection refused"};
    return r;
}

void expect_same(const RecordedRequest& a, const RecordedRequest& b) {
    EXPECT_EQ(a.sequence, b.sequence);
    EXPECT_EQ(a.server, b.server);
    EXPECT_EQ(a.route, b.route);
    EXPECT_EQ(a.method, b.method);
    EXPECT_EQ(a.target, b.target);
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.query, b.query);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.stream_id, b.stream_id);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.body_size, b.body_size);
    EXPECT_EQ(a.body_truncated, b.body_truncated);
    EXPECT_EQ(a.client, b.client);
    ASSERT_EQ(a.tls.has_value(), b.tls.has_value());
    if (a.tls) {
        EXPECT_EQ(a.tls->version, b.tls->version);
        EXPECT_EQ(a.tls->cipher, b.tls->cipher);
        EXPECT_EQ(a.tls->sni, b.tls->sni);
        EXPECT_EQ(a.tls->alpn, b.tls->alpn);
        EXPECT_EQ(a.tls->client_subject, b.tls->client_subject);
    }
    EXPECT_EQ(a.received, b.received);
    EXPECT_EQ(a.answered, b.answered);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.bytes_sent, b.bytes_sent);
    EXPECT_EQ(a.duration, b.duration);
    EXPECT_EQ(a.explanation, b.explanation);
    EXPECT_EQ(a.unmatched, b.unmatched);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.next_state, b.next_state);
    EXPECT_EQ(a.delay, b.delay);
    EXPECT_EQ(a.fault, b.fault);
    ASSERT_EQ(a.upstream.has_value(), b.upstream.has_value());
    if (a.upstream) {
        EXPECT_EQ(a.upstream->url, b.upstream->url);
        EXPECT_EQ(a.upstream->status, b.upstream->status);
        EXPECT_EQ(a.upstream->time, b.upstream->time);
        EXPECT_EQ(a.upstream->error, b.upstream->error);
    }
    EXPECT_EQ(printed(a), printed(b));
}

TEST(PackedRequest, GivesBackEveryField) {
    const auto request = everything();
    const PackedRequest packed(request, 1 << 20);
    EXPECT_EQ(packed.sequence(), 42u);
    EXPECT_EQ(packed.body_bytes(), 21u);
    expect_same(packed.unpack(), request);
}

TEST(PackedRequest, GivesBackAnEmptyRequestAsEmpty) {
    RecordedRequest request;  // no route, no TLS, no upstream, nothing
    expect_same(PackedRequest(request, 1 << 20).unpack(), request);
    request.route = "";  // a route named nothing is still a route
    EXPECT_EQ(PackedRequest(request, 1 << 20).unpack().route, std::optional<std::string>(""));
}

TEST(PackedRequest, CutsABodyOverTheCapAndKeepsItsRealSize) {
    auto request = everything();
    request.body = std::string(100, 'b');
    request.body_size = 100;
    const PackedRequest packed(request, 10);
    const auto back = packed.unpack();
    EXPECT_EQ(back.body, std::string(10, 'b'));
    EXPECT_TRUE(back.body_truncated);
    EXPECT_EQ(back.body_size, 100u);
    EXPECT_EQ(packed.body_bytes(), 10u);
}

TEST(PackedRequest, DroppingTheBodyKeepsEverythingElseAndFreesItsBytes) {
    auto request = everything();
    request.body = std::string(4096, 'b');
    request.body_size = 4096;
    PackedRequest packed(request, 1 << 20);
    const auto before = packed.memory();
    packed.drop_body();
    EXPECT_EQ(packed.body_bytes(), 0u);
    EXPECT_LE(packed.memory() + 4096, before);
    auto expected = request;
    expected.body.clear();
    expected.body_truncated = true;
    expect_same(packed.unpack(), expected);
}

TEST(PackedRequest, IsOneSmallBlock) {
    // What a keep-alive GET costs the journal: its text and some 100 bytes.
    RecordedRequest request;
    request.server = "api";
    request.method = "GET";
    request.target = request.path = "/canned";
    request.version = "HTTP/1.1";
    request.headers = {{"Host", "127.0.0.1:8080"}};
    request.client = "127.0.0.1:54321";
    EXPECT_LT(PackedRequest(request, 1 << 20).memory(), 256u);
}

}  // namespace
}  // namespace mockserve::scenario::detail
