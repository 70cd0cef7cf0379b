// The fields a proxy route forwards (proxy_headers.hpp), field by field.
#include "proxy_headers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

ForwardingFacts facts(const std::vector<Field>* extra = nullptr) {
    ForwardingFacts f;
    f.client_address = "127.0.0.1";
    f.client_version = "HTTP/1.1";
    f.upstream_host = "upstream.test:8080";
    f.extra = extra;
    return f;
}

TEST(ProxyHeaders, HopByHopFieldsStayOnTheirHop) {
    const std::vector<Field> client = {{"Host", "edge.test"},
                                       {"Connection", "keep-alive, X-Hop"},
                                       {"X-Hop", "mine"},
                                       {"Keep-Alive", "timeout=5"},
                                       {"TE", "trailers"},
                                       {"Trailer", "X-Sum"},
                                       {"Transfer-Encoding", "chunked"},
                                       {"Upgrade", "websocket"},
                                       {"Proxy-Authorization", "Basic eDp5"},
                                       {"Proxy-Connection", "keep-alive"},
                                       {"Content-Length", "3"},
                                       {"Expect", "100-continue"},
                                       {"Accept", "application/json"},
                                       {"Authorization", "Bearer t"}};
    EXPECT_THAT(upstream_request_fields(client, facts()),
                ElementsAre(Pair("Host", "upstream.test:8080"), Pair("Accept", "application/json"),
                            Pair("Authorization", "Bearer t"), Pair("Via", "1.1 mockserve"),
                            Pair("X-Forwarded-For", "127.0.0.1"), Pair("X-Forwarded-Proto", "http"),
                            Pair("X-Forwarded-Host", "edge.test")));
}

TEST(ProxyHeaders, ForwardedForGrowsAndTheOthersAreSet) {
    const std::vector<Field> client = {{"Host", "edge.test"},
                                       {"X-Forwarded-For", "203.0.113.7"},
                                       {"X-Forwarded-For", "10.0.0.1"},
                                       {"X-Forwarded-Proto", "gopher"},
                                       {"X-Forwarded-Host", "spoofed"},
                                       {"Via", "1.0 corporate"}};
    auto f = facts();
    f.client_tls = true;
    f.client_version = "HTTP/1.0";
    EXPECT_THAT(upstream_request_fields(client, f),
                ElementsAre(Pair("Host", "upstream.test:8080"), Pair("Via", "1.0 corporate"), Pair("Via", "1.0 mockserve"),
                            Pair("X-Forwarded-For", "203.0.113.7, 10.0.0.1, 127.0.0.1"),
                            Pair("X-Forwarded-Proto", "https"), Pair("X-Forwarded-Host", "edge.test")));
}

TEST(ProxyHeaders, ProxyHeaderReplacesTheClientsFieldsOfItsName) {
    const std::vector<Field> extra = {{"Authorization", "Bearer staging"}, {"X-Team", "payments"}};
    const std::vector<Field> client = {{"Host", "edge.test"}, {"authorization", "Bearer mine"}, {"Accept", "*/*"}};
    EXPECT_THAT(upstream_request_fields(client, facts(&extra)),
                ElementsAre(Pair("Host", "upstream.test:8080"), Pair("Accept", "*/*"),
                            Pair("Authorization", "Bearer staging"), Pair("X-Team", "payments"),
                            Pair("Via", "1.1 mockserve"), Pair("X-Forwarded-For", "127.0.0.1"),
                            Pair("X-Forwarded-Proto", "http"), Pair("X-Forwarded-Host", "edge.test")));
}

TEST(ProxyHeaders, ResponsesKeepEndToEndFieldsInOrderAndGainVia) {
    const std::vector<Field> upstream = {{"Server", "nginx"},
                                         {"Date", "Tue, 01 Dec 2026 10:00:00 GMT"},
                                         {"Connection", "close, X-Internal"},
                                         {"X-Internal", "1"},
                                         {"Transfer-Encoding", "chunked"},
                                         {"Keep-Alive", "timeout=5"},
                                         {"Proxy-Connection", "close"},
                                         {"Content-Type", "text/plain"},
                                         {"Set-Cookie", "a=1"},
                                         {"Set-Cookie", "b=2"}};
    EXPECT_THAT(client_response_fields(upstream, "1.1"),
                ElementsAre(Pair("Server", "nginx"), Pair("Date", "Tue, 01 Dec 2026 10:00:00 GMT"),
                            Pair("Content-Type", "text/plain"), Pair("Set-Cookie", "a=1"), Pair("Set-Cookie", "b=2"),
                            Pair("Via", "1.1 mockserve")));
}

}  // namespace
}  // namespace mockserve::scenario::detail
