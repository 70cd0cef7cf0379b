#include "plain_http_refusal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(PlainHttpRefusal, OnlyAnUpperCaseLetterLooksLikePlainHttp) {
    EXPECT_TRUE(looks_like_plain_http('G'));
    EXPECT_TRUE(looks_like_plain_http('P'));
    EXPECT_FALSE(looks_like_plain_http(0x16));  // a TLS handshake record
    EXPECT_FALSE(looks_like_plain_http('g'));
    EXPECT_FALSE(looks_like_plain_http(0x80));  // an SSLv2-style hello
}

TEST(PlainHttpRefusal, IsAComplete400ThatClosesAndNamesTheHttpsAddress) {
    const auto answer = plain_http_refusal("GET /a/b?c=d HTTP/1.1\r\nUser-Agent: x\r\nhost: api.test:8443\r\n\r\n");
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"));
    EXPECT_THAT(answer, HasSubstr("\r\nConnection: close\r\n\r\n"));
    EXPECT_THAT(answer, HasSubstr("The plain HTTP request was sent to HTTPS port.\n"));
    EXPECT_THAT(answer, EndsWith("ask https://api.test:8443/a/b?c=d instead.\n"));
    const auto body = answer.substr(answer.find("\r\n\r\n") + 4);
    EXPECT_THAT(answer, HasSubstr("Content-Length: " + std::to_string(body.size()) + "\r\n"));
}

TEST(PlainHttpRefusal, RepeatsNothingThatIsNotPlainText) {
    for (const char* request : {"GET / HTTP/1.1\r\nHost: <script>\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\x01z\r\n\r\n",
                                "GET / HTTP/1.1\r\n\r\nHost: after-the-head\r\n", "GET / HTTP/1.1\r\nHost"}) {
        const auto answer = plain_http_refusal(request);
        EXPECT_THAT(answer, HasSubstr("use an https:// address")) << request;
        EXPECT_THAT(answer, Not(HasSubstr("script"))) << request;
        EXPECT_THAT(answer, Not(HasSubstr("after-the-head"))) << request;
    }
    // A target that is not an absolute path is left out, the host kept.
    EXPECT_THAT(plain_http_refusal("GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n"), HasSubstr("ask https://h/ instead"));
}

}  // namespace
}  // namespace mockserve::http::detail
