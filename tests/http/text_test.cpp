#include <mockserve/detail/text.hpp>

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

TEST(ParseDecimal, DigitsOnly) {
    EXPECT_EQ(parse_decimal("0"), 0u);
    EXPECT_EQ(parse_decimal("18446744073709551615"), UINT64_MAX);
    EXPECT_FALSE(parse_decimal("18446744073709551616"));
    EXPECT_FALSE(parse_decimal(""));
    EXPECT_FALSE(parse_decimal("1a"));
}

TEST(Unquote, DecodesOnce) {
    EXPECT_EQ(unquote("/a%20b"), "/a b");
    EXPECT_EQ(unquote("%252e"), "%2e");  // once only
    EXPECT_EQ(unquote("%zz%4"), "%zz%4");
    EXPECT_EQ(unquote("%C3%A9"), "\xc3\xa9");
    EXPECT_EQ(unquote("a+b"), "a+b");
}

TEST(Unquote, PlusIsASpaceOnlyInTheQueryForm) {
    EXPECT_EQ(unquote_plus("a+b%2B"), "a b+");
    EXPECT_EQ(unquote_plus("%4"), "%4");
}

TEST(Token, IsLocaleIndependentTchar) {
    EXPECT_TRUE(is_token("GET"));
    EXPECT_TRUE(is_token("X-Custom_1!#$%&'*+.^`|~"));
    EXPECT_FALSE(is_token(""));
    EXPECT_FALSE(is_token("a b"));
    EXPECT_FALSE(is_token("a:b"));
    EXPECT_FALSE(is_token("\xc3\xa9"));  // a letter in some locales, never a tchar
}

TEST(TrimOws, SpacesAndTabsOnly) {
    EXPECT_EQ(trim_ows(" \t a b \t"), "a b");
    EXPECT_EQ(trim_ows("\r a\r"), "\r a\r");
    EXPECT_EQ(trim_ows("  "), "");
}

TEST(StatusHasBody, NotInformationalNoContentResetOrNotModified) {
    for (const int status : {100, 101, 103, 199, 204, 205, 304}) EXPECT_FALSE(status_has_body(status)) << status;
    for (const int status : {200, 201, 206, 301, 404, 500}) EXPECT_TRUE(status_has_body(status)) << status;
}

TEST(Target, PathAndQueryParts) {
    EXPECT_EQ(path_part("/a/b?x=1#f"), "/a/b");
    EXPECT_EQ(path_part("/a#f?x"), "/a");
    EXPECT_EQ(query_and_fragment("/a?x=1#f"), "?x=1#f");
    EXPECT_EQ(query_and_fragment("/a"), "");
}

TEST(Target, QueryDecodedInOrderWithRepeats) {
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(parse_query("/p?b=2&a=1&b=3"), (Pairs{{"b", "2"}, {"a", "1"}, {"b", "3"}}));
    EXPECT_EQ(parse_query("/p?x=a+b%2F&flag&&=v#frag"), (Pairs{{"x", "a b/"}, {"flag", ""}, {"", "v"}}));
    EXPECT_EQ(parse_query("/p"), Pairs{});
    EXPECT_EQ(parse_query("/p?"), Pairs{});
}

}  // namespace
}  // namespace mockserve::http::detail
