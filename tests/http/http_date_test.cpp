#include <mockserve/http_date.hpp>

#include <gtest/gtest.h>

#include <ctime>

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

TEST(HttpDate, RejectsWhatPythonsDatetimeRejects) {
    // Normalised by timegm before, so 31 February was 3 March.
    EXPECT_FALSE(parse_http_date("Tue, 31 Feb 2026 00:00:00 GMT"));
    EXPECT_FALSE(parse_http_date("Wed, 31 Dec 2025 23:59:60 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, -6 Nov 1994 08:49:37 GMT"));
    EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 -8:49:37 GMT"));
    EXPECT_TRUE(parse_http_date("Sat, 29 Feb 2020 00:00:00 GMT"));
    EXPECT_TRUE(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"));   // divisible by 400: a leap year
    EXPECT_FALSE(parse_http_date("Mon, 29 Feb 2100 00:00:00 GMT"));  // by 100 only: not one
}

TEST(HttpDate, AgreesWithTheCLibraryFrom1970To2261) {
    // The calendar is computed, not asked of gmtime_r (which reads the local
    // time zone on its first call): times a day and an hour apart from 1970
    // to 2261 (every weekday, month and hour, 68 of the 71 leap days) format as
    // strftime does and parse back.
    for (std::time_t t = 0; t < 9'214'646'400; t += 86'400 + 3'607) {
        std::tm tm{};
        ASSERT_TRUE(gmtime_r(&t, &tm));
        char expected[40];
        ASSERT_GT(std::strftime(expected, sizeof expected, "%a, %d %b %Y %H:%M:%S GMT", &tm), 0u);
        const auto when = std::chrono::system_clock::from_time_t(t);
        ASSERT_EQ(format_http_date(when), expected) << "at " << t;
        ASSERT_EQ(parse_http_date(expected), when) << expected;
    }
}

TEST(HttpDate, ADateBeyondTheClockIsNotADate) {
    // Found by http_date_fuzzer: from_time_t overflowed the clock's
    // nanoseconds for dates after 2262 (undefined behaviour), and the
    // date read back as another.
    EXPECT_FALSE(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"));
    const auto latest = parse_http_date("Wed, 01 Jan 2262 00:00:00 GMT");
    ASSERT_TRUE(latest);
    EXPECT_EQ(format_http_date(*latest), "Wed, 01 Jan 2262 00:00:00 GMT");
}

TEST(HttpDate, LogDateLooksLikePythons) {
    const auto text = format_log_date(kExample);
    ASSERT_EQ(text.size(), 20u) << text;
    EXPECT_EQ(text.substr(2, 5), "/Nov/");
}

}  // namespace
}  // namespace mockserve::http
