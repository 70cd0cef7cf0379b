// Matching a request against conditions, choosing a route, explaining a miss.
#include "request_matcher.hpp"

#include <mockserve/scenario/scenario_loader.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Request {
    Request(std::string m, std::string t, std::vector<Field> h = {}, std::string b = {})
        : method(std::move(m)), target(std::move(t)), headers(std::move(h)), body(std::move(b)) {}
    std::string method;
    std::string target;
    std::vector<Field> headers;
    std::string body;
    std::string path;
    std::vector<Field> query;
    RequestFacts facts() {
        std::tie(path, query) = split_target(target);
        RequestFacts f;
        f.method = method;
        f.path = path;
        f.query = &query;
        f.headers = &headers;
        f.body = body;
        return f;
    }
};

RequestPattern pattern(const std::string& keys) {
    auto result = parse_scenario("[server s]\n[route s r]\n" + keys + "\nresponse = 200\n", "t.ini", ".");
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    return result.scenario->servers[0].routes[0].request;
}

TEST(SplitTarget, DecodesPathAndQuery) {
    const auto [path, query] = split_target("/a%20b?x=1&y=two+words&z=%2F&flag#frag");
    EXPECT_EQ(path, "/a b");
    EXPECT_THAT(query, ElementsAre(Field{"x", "1"}, Field{"y", "two words"}, Field{"z", "/"}, Field{"flag", ""}));
}

TEST(Matches, EachCondition) {
    Request r{"POST", "/v1/items?kind=book", {{"Content-Type", "application/json"}, {"X-Id", "7"}},
              R"({"b": 2, "a": 1})"};
    const auto facts = r.facts();
    EXPECT_TRUE(matches(pattern("request = POST /v1/items"), facts));
    EXPECT_FALSE(matches(pattern("request = GET /v1/items"), facts));
    EXPECT_TRUE(matches(pattern("request = GET|POST /v1/*"), facts));
    EXPECT_TRUE(matches(pattern("request = ~ ^/v1/[a-z]+$"), facts));
    EXPECT_TRUE(matches(pattern("request.query = kind=book"), facts));
    EXPECT_FALSE(matches(pattern("request.query = kind=film"), facts));
    EXPECT_TRUE(matches(pattern("request.header = content-type: application/json"), facts));
    EXPECT_TRUE(matches(pattern("request.header = X-Id: *"), facts));
    EXPECT_FALSE(matches(pattern("request.header = X-Missing: *"), facts));
    EXPECT_FALSE(matches(pattern("request.header = X-Id: 8"), facts));
    EXPECT_TRUE(matches(pattern(R"(request.body = {"b": 2, "a": 1})"), facts));
    EXPECT_FALSE(matches(pattern("request.body = other"), facts));
    EXPECT_TRUE(matches(pattern(R"(request.body_contains = "a": 1)"), facts));
    EXPECT_TRUE(matches(pattern(R"(request.body_regex = "b":\s*[0-9])"), facts));
    EXPECT_FALSE(matches(pattern("request.body_regex = ^x"), facts));
    EXPECT_TRUE(matches(pattern(R"(request.json = {"a":1,"b":2})"), facts));
    EXPECT_FALSE(matches(pattern(R"(request.json = {"a":1})"), facts));
}

TEST(Matches, ExplainsEveryFailedCondition) {
    Request r{"GET", "/v1/item", {}, "plain"};
    const auto facts = r.facts();
    std::vector<std::string> why;
    EXPECT_FALSE(matches(pattern("request = POST /v1/items\nrequest.header = Content-Type: *\nrequest.json = {}"), facts, &why));
    EXPECT_THAT(why, ElementsAre("method is GET, expected POST", "path is \"/v1/item\", expected /v1/items",
                                 "no Content-Type header", "body is not JSON: \"plain\""));
}

TEST(Matches, ARegexThatGivesUpOnALargeBodyIsAMismatchThatSaysSo) {
    // std::regex recursed once per character: this search overflowed the
    // stack of the server's thread and killed it.
    const auto p = pattern("request = POST /\nrequest.body_regex = (a|b)*c");
    Request large("POST", "/", {}, std::string(1 << 20, 'a'));
    std::vector<std::string> why;
    EXPECT_FALSE(matches(p, large.facts(), &why));
    EXPECT_THAT(why, ElementsAre(HasSubstr("body of 1048576 bytes is too much for ~ (a|b)*c (")));
    Request small("POST", "/", {}, "abac");
    EXPECT_TRUE(matches(p, small.facts()));
}

TEST(Matches, ARegexNestedBeyondTheEnginesBoundIsRefusedAtLoad) {
    const auto result = parse_scenario("[server s]\n[route s r]\nrequest = GET ~" + std::string(5000, '(') +
                                           std::string(5000, ')') + "\nresponse = 200\n",
                                       "deep.ini", ".");
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_THAT(result.errors[0], HasSubstr("deep.ini:3: bad regular expression"));
}

TEST(RouteTable, FirstMatchInFileOrderWithExactPathsIndexed) {
    auto result = parse_scenario("[server s]\n"
                                 "[route s prefix]\nrequest = GET /a/*\nresponse = 200\n"
                                 "[route s exact]\nrequest = GET /a/b\nresponse = 200\n"
                                 "[route s other]\nrequest = GET /c\nresponse = 200\n",
                                 "t.ini", ".");
    ASSERT_TRUE(result.ok());
    const auto& routes = result.scenario->servers[0].routes;
    RouteTable table(routes);
    Request ab{"GET", "/a/b"}, c{"GET", "/c"}, none{"GET", "/zzz"};
    EXPECT_EQ(table.find(ab.facts()), 0u);  // the prefix route comes first in the file
    EXPECT_EQ(table.find(c.facts()), 2u);
    EXPECT_FALSE(table.find(none.facts()));
    EXPECT_THAT(table.explain_miss(none.facts()), HasSubstr("No route matched GET /zzz. Closest routes:\n  prefix (line 2): "));
}

TEST(RouteTable, ThousandExactRoutes) {
    std::string text = "[server s]\n";
    for (int i = 0; i < 1000; ++i)
        text += "[route s r" + std::to_string(i) + "]\nrequest = GET /r/" + std::to_string(i) + "\nresponse = 200\n";
    auto result = parse_scenario(text, "t.ini", ".");
    ASSERT_TRUE(result.ok());
    RouteTable table(result.scenario->servers[0].routes);
    Request last{"GET", "/r/999"};
    EXPECT_EQ(table.find(last.facts()), 999u);
}

}  // namespace
}  // namespace mockserve::scenario::detail
