// The scenarios shipped in scenarios/, exercised as a client would.
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

namespace mockserve::scenario {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kScenarios = MOCKSERVE_SCENARIOS;

std::optional<test_support::RawResponse> send(const ScenarioRunner& runner, const std::string& server, const std::string& head,
                                         const std::string& body = "") {
    std::string request = head + "\r\nHost: x\r\n";
    if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return test_support::exchange(runner.port(server), request + "\r\n" + body);
}

TEST(ShippedScenarios, RestApi) {
    ScenarioRunner runner(load_scenario(kScenarios / "rest-api.ini").scenario.value());
    auto list = send(runner, "users", "GET /users HTTP/1.1");
    ASSERT_TRUE(list);
    EXPECT_THAT(list->body, HasSubstr("\"Grace\""));
    auto search = send(runner, "users", "GET /users/search?name=Ada HTTP/1.1");
    ASSERT_TRUE(search);
    EXPECT_EQ(search->body, R"([{"id": 42, "name": "Ada"}])");
    auto one = send(runner, "users", "GET /users/42 HTTP/1.1");
    ASSERT_TRUE(one);
    EXPECT_THAT(one->body, HasSubstr("ada@example.invalid"));
    auto not_numeric = send(runner, "users", "GET /users/ada HTTP/1.1");
    ASSERT_TRUE(not_numeric);
    EXPECT_EQ(not_numeric->status, 404);
    auto anonymous = send(runner, "users", "POST /users HTTP/1.1\r\nContent-Type: application/json", R"({"name":"Linus"})");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401);
    auto created = send(runner, "users",
                        "POST /users HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer t",
                        "{ \"name\" : \"Linus\" }");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201);
    EXPECT_EQ(created->header("Location"), "/users/99");
    auto deleted = send(runner, "users", "DELETE /users/99 HTTP/1.1");
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 204);
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());  // two POSTs match "created-once" (count = 1)...
    EXPECT_THAT(report.to_string(), HasSubstr("FAILED users created-once"));
    EXPECT_THAT(report.to_string(), HasSubstr("ok     users listed"));
}

TEST(ShippedScenarios, StaticSiteWithCgi) {
    // The scenario and the fixtures it names, where user "nobody" can reach them.
    test_support::TempDir tmp;
    namespace fs = std::filesystem;
    fs::create_directories(tmp.path() / "scenarios");
    fs::copy(kScenarios / "static-site.ini", tmp.path() / "scenarios" / "static-site.ini");
    fs::copy(std::string(MOCKSERVE_FIXTURES), tmp.path() / "fixtures", fs::copy_options::recursive);
    ::chmod(tmp.path().c_str(), 0755);
    ScenarioRunner runner(load_scenario(tmp.path() / "scenarios" / "static-site.ini").scenario.value());
    auto home = send(runner, "web", "GET / HTTP/1.1");
    ASSERT_TRUE(home);
    EXPECT_THAT(home->body, HasSubstr("mockserve fixture site"));
    auto listing = send(runner, "web", "GET /docs/ HTTP/1.1");
    ASSERT_TRUE(listing);
    EXPECT_THAT(listing->body, HasSubstr("Directory listing for /docs/"));
    auto script = send(runner, "web", "GET /cgi-bin/hello.sh HTTP/1.1");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->body, "Hello from CGI\n");
    auto posted = send(runner, "web", "POST /cgi-bin/echo.py HTTP/1.1", "form=data");
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->body, "form=data");
    EXPECT_TRUE(runner.verify().passed()) << runner.verify();
}

TEST(ShippedScenarios, UnreliableUpstreamSlowRoute) {
    ScenarioRunner runner(load_scenario(kScenarios / "unreliable-upstream.ini").scenario.value());
    const auto before = std::chrono::steady_clock::now();
    auto slow = send(runner, "upstream", "GET /slow HTTP/1.1");
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->body, "finally");
    EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(300));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(send(runner, "upstream", "GET /busy HTTP/1.1"));
    EXPECT_THAT(runner.verify().to_string(), HasSubstr("FAILED upstream retried"));  // 4 > 3
}

TEST(ShippedScenarios, UnreliableUpstreamFlakyIsTheSameEveryRun) {
    // seed = 42: two runs answer the same twenty requests the same way.
    const auto run = [] {
        ScenarioRunner runner(load_scenario(kScenarios / "unreliable-upstream.ini").scenario.value());
        std::string outcomes;
        for (int i = 0; i < 20; ++i) {
            test_support::RawClient client(runner.port("upstream"));
            client.send("GET /flaky HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            const auto answer = client.read_to_close();
            outcomes += answer.find("lucky") != std::string::npos ? 'o' : answer.empty() ? 'x' : '?';
        }
        std::string delays;
        for (const auto& e : runner.journal().entries()) delays += std::to_string(e.delay.count()) + " ";
        return outcomes + " " + delays;
    };
    const auto first = run();
    EXPECT_EQ(run(), first);
    EXPECT_NE(first.find('x'), std::string::npos);  // some were reset
    EXPECT_NE(first.find('o'), std::string::npos);  // some were answered
    EXPECT_EQ(first.find('?'), std::string::npos);
}

TEST(ShippedScenarios, RetryAndPoll) {
    ScenarioRunner runner(load_scenario(kScenarios / "retry-and-poll.ini").scenario.value());
    std::vector<int> payments, polls;
    for (int i = 0; i < 3; ++i) payments.push_back(send(runner, "api", "POST /v1/payments HTTP/1.1", "{}")->status);
    for (int i = 0; i < 4; ++i) polls.push_back(send(runner, "api", "GET /jobs/7 HTTP/1.1")->status);
    EXPECT_EQ(payments, (std::vector<int>{503, 503, 201}));
    EXPECT_EQ(polls, (std::vector<int>{202, 202, 200, 200}));
    EXPECT_TRUE(runner.verify().passed()) << runner.verify();
}

TEST(ShippedScenarios, OrdersStateful) {
    ScenarioRunner runner(load_scenario(kScenarios / "orders-stateful.ini").scenario.value());
    EXPECT_EQ(send(runner, "api", "GET /orders/1 HTTP/1.1")->status, 404);
    const auto created = send(runner, "api", "POST /orders HTTP/1.1\r\nContent-Type: application/json",
                              R"({"item": "a \"good\" book", "quantity": 2})");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201);
    EXPECT_EQ(created->body, R"({"id": 1, "item": "a \"good\" book", "quantity": 2, "request": 2})");
    EXPECT_EQ(send(runner, "api", "GET /orders/1 HTTP/1.1")->status, 200);
    EXPECT_EQ(send(runner, "api", "DELETE /orders/1 HTTP/1.1")->status, 204);
    EXPECT_EQ(send(runner, "api", "GET /orders/1 HTTP/1.1")->status, 410);
    EXPECT_EQ(send(runner, "api", "GET /cart HTTP/1.1")->body, R"({"items": []})");
    EXPECT_EQ(send(runner, "api", "PUT /cart/items/book HTTP/1.1")->status, 204);
    EXPECT_EQ(send(runner, "api", "GET /cart HTTP/1.1")->body, R"({"items": ["book"]})");
    EXPECT_TRUE(runner.verify().passed()) << runner.verify();
    // A second delete matches no route (the order is cancelled): strict, the run fails.
    EXPECT_EQ(send(runner, "api", "DELETE /orders/1 HTTP/1.1")->status, 404);
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.to_string(), HasSubstr("cancel-order (line 35): state is cancelled, it needs created"));
}

TEST(ShippedScenarios, Events) {
    ScenarioRunner runner(load_scenario(kScenarios / "events.ini").scenario.value());
    const auto updates = send(runner, "stream", "GET /events HTTP/1.1");
    ASSERT_TRUE(updates);
    EXPECT_EQ(updates->header("Content-Type"), "text/event-stream");
    EXPECT_EQ(updates->body, "data: {\"order\": 1, \"status\": \"packed\"}\n\n"
                             "event: shipped\nid: 2\ndata: {\"order\": 1, \"status\": \"shipped\"}\n\n"
                             "event: done\ndata: bye\n\n");
    const auto download = send(runner, "stream", "GET /download HTTP/1.1");
    ASSERT_TRUE(download);
    EXPECT_EQ(download->header("Content-Length"), "36");
    EXPECT_EQ(download->body, "0123456789abcdefghijklmnopqrstuvwxyz");
}

}  // namespace
}  // namespace mockserve::scenario
