#include <mockserve/headers.hpp>

#include <gtest/gtest.h>

namespace mockserve::http {
namespace {

TEST(Headers, CaseInsensitiveAndOrdered) {
    Headers h;
    h.add("Accept", "a");
    h.add("X-Tag", "1");
    h.add("x-tag", "2");
    EXPECT_EQ(h.get("ACCEPT"), "a");
    EXPECT_FALSE(h.get("Missing"));
    EXPECT_EQ(h.get("Missing", "fallback"), "fallback");
    EXPECT_EQ(h.get_all("X-TAG"), (std::vector<std::string_view>{"1", "2"}));
    EXPECT_EQ(h.count("x-tag"), 2u);
    EXPECT_TRUE(h.contains("accept"));
    EXPECT_EQ(h.to_string(), "Accept: a\r\nX-Tag: 1\r\nx-tag: 2\r\n");
}

}  // namespace
}  // namespace mockserve::http
