#include "byte_ranges.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

using Kind = RangeRequest::Kind;

TEST(ParseRange, SingleAndSuffixAndOpen) {
    auto r = parse_range("bytes=0-4", 10);
    ASSERT_EQ(r.kind, Kind::satisfiable);
    EXPECT_EQ(r.ranges[0].first, 0u);
    EXPECT_EQ(r.ranges[0].last, 4u);
    r = parse_range("bytes=-3", 10);
    EXPECT_EQ(r.ranges[0].first, 7u);
    EXPECT_EQ(r.ranges[0].last, 9u);
    r = parse_range("bytes=8-", 10);
    EXPECT_EQ(r.ranges[0].last, 9u);
    r = parse_range("bytes=5-100", 10);
    EXPECT_EQ(r.ranges[0].last, 9u);
    r = parse_range("bytes=-100", 10);
    EXPECT_EQ(r.ranges[0].first, 0u);
}

TEST(ParseRange, Several) {
    auto r = parse_range("bytes=0-1, 4-5,-1", 10);
    ASSERT_EQ(r.kind, Kind::satisfiable);
    EXPECT_EQ(r.ranges.size(), 3u);
}

TEST(ParseRange, Unsatisfiable) {
    EXPECT_EQ(parse_range("bytes=10-", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=20-30", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=-0", 10).kind, Kind::unsatisfiable);
    EXPECT_EQ(parse_range("bytes=0-", 0).kind, Kind::unsatisfiable);
}

TEST(ParseRange, IgnoredWhenMalformedOrTooMany) {
    EXPECT_EQ(parse_range("items=0-1", 10).kind, Kind::ignore);
    EXPECT_EQ(parse_range("bytes=5-1", 10).kind, Kind::ignore);
    EXPECT_EQ(parse_range("bytes=a-b", 10).kind, Kind::ignore);
    EXPECT_EQ(parse_range("bytes=", 10).kind, Kind::ignore);
    EXPECT_EQ(parse_range("bytes=1", 10).kind, Kind::ignore);
    EXPECT_EQ(parse_range("bytes=0-0,1-1,2-2", 10, 2).kind, Kind::ignore);
}

}  // namespace
}  // namespace mockserve::http::detail
