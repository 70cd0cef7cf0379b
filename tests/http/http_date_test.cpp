#include <mockserve/http_date.hpp>

#include <gtest/gtest.h>

namespace mockserve::http {
namespace {

const SystemTime kExample = std::chrono::system_clock::from_time_t(784111777);  // 1994-11-06 08:49:37 UTC

TEST(HttpDate, FormatsImfFixdate) { EXPECT_EQ(format_http_date(kExample), "Sun, 06 Nov 1994 08:49:37 GMT"); }

TEST(HttpDate, ParsesAllThreeForms) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), kExample);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), kExample);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), kExample);
}

TEST(HttpDate, RejectsGarbage) {
    EXPECT_FALSE(parse_http_date(""));
    EXPECT_FALSE(parse_http_date("yesterday"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"));
}

TEST(HttpDate, LogDateLooksLikePythons) {
    const auto text = format_log_date(kExample);
    ASSERT_EQ(text.size(), 20u) << text;
    EXPECT_EQ(text.substr(2, 5), "/Nov/");
}

}  // namespace
}  // namespace mockserve::http
