// UpstreamUrl's rules (upstream_url.hpp), word for word.
#include "upstream_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

UpstreamUrl parsed(std::string_view text) {
    std::string error;
    auto url = UpstreamUrl::parse(text, error);
    EXPECT_TRUE(url) << text << ": " << error;
    return url.value_or(UpstreamUrl{});
}

std::string refusal(std::string_view text) {
    std::string error;
    EXPECT_FALSE(UpstreamUrl::parse(text, error)) << text;
    return error;
}

TEST(UpstreamUrl, SchemeHostPortAndBase) {
    const auto plain = parsed("http://staging.example.com");
    EXPECT_FALSE(plain.tls);
    EXPECT_EQ(plain.host, "staging.example.com");
    EXPECT_EQ(plain.port, 80);
    EXPECT_EQ(plain.base_path, "");
    EXPECT_EQ(plain.host_field(), "staging.example.com");
    EXPECT_EQ(plain.origin(), "http://staging.example.com:80");

    const auto tls = parsed("HTTPS://127.0.0.1:8443/api/v1/");
    EXPECT_TRUE(tls.tls);
    EXPECT_EQ(tls.host, "127.0.0.1");
    EXPECT_EQ(tls.port, 8443);
    EXPECT_EQ(tls.base_path, "/api/v1");
    EXPECT_EQ(tls.host_field(), "127.0.0.1:8443");

    const auto v6 = parsed("https://[::1]:443");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.host_field(), "[::1]");
    EXPECT_EQ(v6.origin(), "https://[::1]:443");
}

TEST(UpstreamUrl, RefusesWhatCannotBeForwardedTo) {
    EXPECT_EQ(refusal("ftp://example.com"), "a proxy URL starts with http:// or https://, not 'ftp://example.com'");
    EXPECT_EQ(refusal("example.com"), "a proxy URL starts with http:// or https://, not 'example.com'");
    EXPECT_EQ(refusal("http://user:pw@example.com"),
              "a proxy URL carries no user name or password (give them with proxy.header = Authorization: ...)");
    EXPECT_EQ(refusal("http://example.com:0"), "the port of 'http://example.com:0' is not a number from 1 to 65535");
    EXPECT_EQ(refusal("http://example.com:99999"), "the port of 'http://example.com:99999' is not a number from 1 to 65535");
    EXPECT_EQ(refusal("http://example.com:"), "the port of 'http://example.com:' is not a number from 1 to 65535");
    EXPECT_EQ(refusal("http://"), "the proxy URL 'http://' names no host");
    EXPECT_EQ(refusal("http://[::1"), "the IPv6 address in 'http://[::1' has no closing ']'");
    EXPECT_EQ(refusal("http://ex ample.com"), "'ex ample.com' is not a host name or address");
    EXPECT_EQ(refusal("http://example.com/a?b=1"), "a proxy URL has no query or fragment: each request's own query is forwarded");
}

TEST(UpstreamUrl, ForwardedTargetStripsWholeSegmentsAndAddsTheBase) {
    const auto root = parsed("http://u");
    EXPECT_EQ(root.forwarded_target("/v2/users?x=1", "/v2"), "/users?x=1");
    EXPECT_EQ(root.forwarded_target("/v2", "/v2"), "/");
    EXPECT_EQ(root.forwarded_target("/v2?x=1", "/v2"), "/?x=1");
    EXPECT_EQ(root.forwarded_target("/v20/users", "/v2"), "/v20/users");  // not a segment of its own
    EXPECT_EQ(root.forwarded_target("/v2/users", "/v2/"), "/users");
    EXPECT_EQ(root.forwarded_target("/other", "/v2"), "/other");
    EXPECT_EQ(root.forwarded_target("/users", ""), "/users");

    // An absolute-form target (a client that speaks to a proxy) goes up in origin form.
    EXPECT_EQ(root.forwarded_target("http://edge.test:8080/v2/users?x=1", "/v2"), "/users?x=1");
    EXPECT_EQ(root.forwarded_target("HTTP://edge.test", "/v2"), "/");
    EXPECT_EQ(root.forwarded_target("http://edge.test?x=1", ""), "/?x=1");
    EXPECT_EQ(root.forwarded_target("*", ""), "*");

    const auto based = parsed("http://u/api/");
    EXPECT_EQ(based.forwarded_target("/v2/users?x=%2F", "/v2"), "/api/users?x=%2F");
    EXPECT_EQ(based.forwarded_target("/v2", "/v2"), "/api/");
}

}  // namespace
}  // namespace mockserve::scenario::detail
