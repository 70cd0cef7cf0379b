// JournalQuery: GET /requests's parameters read and applied, word for word.
#include "journal_query.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::HasSubstr;

JournalQuery parse(std::vector<std::pair<std::string, std::string>> query) {
    std::string error;
    auto q = JournalQuery::parse(query, error);
    if (!q) throw std::runtime_error(error);
    return *q;
}

std::string mistake(std::vector<std::pair<std::string, std::string>> query) {
    std::string error;
    EXPECT_FALSE(JournalQuery::parse(query, error));
    return error;
}

RecordedRequest entry(std::uint64_t seq, std::string server, std::string method, std::string path,
                      std::optional<std::string> route) {
    RecordedRequest r;
    r.sequence = seq;
    r.server = std::move(server);
    r.method = std::move(method);
    r.path = std::move(path);
    r.route = std::move(route);
    r.unmatched = !r.route;
    return r;
}

TEST(JournalQuery, EachConditionSelects) {
    const auto hello = entry(3, "api", "GET", "/hello/world", "hello");
    const auto miss = entry(4, "api", "POST", "/x", std::nullopt);
    EXPECT_TRUE(parse({}).matches(hello));
    EXPECT_TRUE(parse({{"server", "api"}}).matches(hello));
    EXPECT_FALSE(parse({{"server", "admin"}}).matches(hello));
    EXPECT_TRUE(parse({{"route", "hello"}}).matches(hello));
    EXPECT_FALSE(parse({{"route", "hello"}}).matches(miss));
    EXPECT_FALSE(parse({{"method", "get"}}).matches(hello));  // methods are case-sensitive
    EXPECT_TRUE(parse({{"path", "/hello/world"}}).matches(hello));
    EXPECT_FALSE(parse({{"path", "/hello"}}).matches(hello));
    EXPECT_TRUE(parse({{"path", "/hello*"}}).matches(hello));
    EXPECT_TRUE(parse({{"path", "*"}}).matches(hello));
    EXPECT_FALSE(parse({{"path", "/hello/world/*"}}).matches(hello));
    EXPECT_TRUE(parse({{"unmatched", "1"}}).matches(miss));
    EXPECT_FALSE(parse({{"unmatched", "1"}}).matches(hello));
    EXPECT_TRUE(parse({{"unmatched", "0"}}).matches(hello));
    EXPECT_FALSE(parse({{"since", "3"}}).matches(hello));
    EXPECT_TRUE(parse({{"since", "2"}}).matches(hello));
    EXPECT_FALSE(parse({{"server", "api"}, {"method", "POST"}}).matches(hello));
    EXPECT_TRUE(parse({{"token", "whatever"}}).matches(hello));  // the guard's, passed over
}

TEST(JournalQuery, WaitIsADurationOfAtMostAMinute) {
    EXPECT_EQ(parse({{"wait", "500ms"}}).wait, std::chrono::milliseconds(500));
    EXPECT_EQ(parse({{"wait", "5s"}}).wait, std::chrono::seconds(5));
    EXPECT_EQ(parse({{"wait", "2"}}).wait, std::chrono::seconds(2));
    EXPECT_EQ(parse({{"wait", "1m"}}).wait, std::chrono::minutes(1));
    EXPECT_EQ(parse({{"wait", "1.5s"}}).wait, std::chrono::milliseconds(1500));
    EXPECT_THAT(mistake({{"wait", "61s"}}), HasSubstr("at most 60s"));
    EXPECT_THAT(mistake({{"wait", "soon"}}), HasSubstr("not 'soon'"));
    EXPECT_THAT(mistake({{"wait", ""}}), HasSubstr("wait is a duration"));
}

TEST(JournalQuery, MistakesAreNamed) {
    EXPECT_EQ(mistake({{"sever", "api"}}),
              "unknown parameter 'sever' (known: server, route, method, path, unmatched, since, wait)");
    EXPECT_THAT(mistake({{"since", "x"}}), HasSubstr("since is a sequence number"));
    EXPECT_THAT(mistake({{"unmatched", "yes"}}), HasSubstr("unmatched is 1"));
}

}  // namespace
}  // namespace mockserve::scenario::detail
