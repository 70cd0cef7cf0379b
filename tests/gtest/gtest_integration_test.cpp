// The GoogleTest layer as a user writes with it: a fake server per test,
// matchers on recorded requests, EXPECT_CALL on live routes.
#include <mockserve/gtest/fake_server.hpp>
#include <mockserve/gtest/mock_route.hpp>

#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <future>

namespace {

using namespace ::testing;
using namespace mockserve::gtest;
using mockserve::scenario::ScenarioBuilder;
using mockserve::test_support::RawResponse;

const std::string kScenarios = MOCKSERVE_SCENARIOS;

// The code under test, standing in for an HTTP client library.
std::optional<RawResponse> post_payment(const std::string& base_url, const std::string& json) {
    const auto port = static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
    return mockserve::test_support::exchange(port, "POST /v1/payments HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(json.size()) + "\r\n\r\n" + json);
}

std::optional<RawResponse> get(const std::string& base_url, const std::string& path) {
    const auto port = static_cast<std::uint16_t>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
    return mockserve::test_support::exchange(port, "GET " + path + " HTTP/1.1\r\nHost: shop\r\n\r\n");
}

TEST(PaymentClient, PostsThePayment) {
    FakeServer server(kScenarios + "/checkout.ini");  // every server on a free port

    post_payment(server.url("api"), R"({"amount": 1200, "currency": "EUR"})");

    EXPECT_THAT(server.requests(), Contains(AllOf(Method("POST"), Path("/v1/payments"),
                                                  Header("Content-Type", HasSubstr("json")),
                                                  JsonField("/amount", 1200))));
    EXPECT_TRUE(server.VerifyExpectations());
}

TEST(UserClient, FetchesAUser) {
    MockRoute api;  // declared before the server, so that it outlives it
    ScenarioBuilder scenario;
    scenario.server("api").route("users").request("/users/*").answer_with(api.answer());
    FakeServer server(scenario);

    EXPECT_CALL(api, Handle(AllOf(Method("GET"), Path("/users/42"))))
        .WillOnce(Return(Response(200).Json(R"({"id":42})")));

    auto user = get(server.url(), "/users/42");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->body, R"({"id":42})");
}

TEST(MockRoute, TimesAndSequences) {
    MockRoute api;
    ScenarioBuilder scenario;
    scenario.server("api").route("all").request("/*").answer_with(api.answer());
    FakeServer server(scenario);
    {
        InSequence in_order;
        EXPECT_CALL(api, Handle(Path("/login"))).WillOnce(Return(Response(204)));
        EXPECT_CALL(api, Handle(Path("/items"))).Times(3).WillRepeatedly(Return(Response(200).Body("items")));
        EXPECT_CALL(api, Handle(Path("/logout"))).WillOnce(Return(Response(204)));
    }
    EXPECT_EQ(get(server.url(), "/login")->status, 204);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(get(server.url(), "/items")->body, "items");
    EXPECT_EQ(get(server.url(), "/logout")->status, 204);
}

TEST(MockRoute, UnexpectedCallGetsA500ThatSaysSo) {
    MockRoute api;
    ScenarioBuilder scenario;
    scenario.server("api").route("all").request("/*").answer_with(api.answer());
    FakeServer server(scenario);
    EXPECT_CALL(api, Handle(Path("/expected"))).Times(AnyNumber()).WillRepeatedly(Return(Response(200)));
    std::optional<RawResponse> answer;
    EXPECT_NONFATAL_FAILURE_ON_ALL_THREADS(answer = get(server.url(), "/surprise"), "Unexpected mock function call");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 500);
    EXPECT_THAT(answer->body, HasSubstr("no EXPECT_CALL matched"));
    // GoogleMock prints the request it was handed, which is still in flight.
    EXPECT_NONFATAL_FAILURE_ON_ALL_THREADS(answer = get(server.url(), "/surprise"),
                                           "\n-- #2 on api, route all, not answered yet");
}

TEST(MockRoute, CallsFromManyConnectionsAtOnce) {
    MockRoute api;
    ScenarioBuilder scenario;
    scenario.server("api").route("all").request("/*").answer_with(api.answer());
    FakeServer server(scenario);
    EXPECT_CALL(api, Handle(Method("GET"))).Times(80).WillRepeatedly(Return(Response(200).Body("ok")));
    std::vector<std::future<int>> clients;
    for (int c = 0; c < 8; ++c)
        clients.push_back(std::async(std::launch::async, [&] {
            int ok = 0;
            for (int i = 0; i < 10; ++i) ok += get(server.url(), "/x")->body == "ok";
            return ok;
        }));
    int total = 0;
    for (auto& c : clients) total += c.get();
    EXPECT_EQ(total, 80);
}

TEST(FakeServer, WaitsForARequestFromABackgroundClient) {
    FakeServer server(kScenarios + "/rest-api.ini");
    auto background = std::async(std::launch::async, [&] { return get(server.url("users"), "/users"); });
    EXPECT_TRUE(server.WaitForRequest(AllOf(Method("GET"), Path("/users"))));
    background.get();

    const auto missing = server.WaitForRequest(Path("/never"), std::chrono::milliseconds(50));
    EXPECT_FALSE(missing);
    EXPECT_THAT(missing.message(), HasSubstr("no request that has path \"/never\" arrived within 50 ms; "
                                             "1 request received:\n\nGET /users HTTP/1.1\nHost: shop\n"));
}

// A helper in another language (a browser test, a Python client) steers
// the same server through its control API.
TEST(FakeServer, AControlApiForHelpersInOtherLanguages) {
    mockserve::scenario::RunnerOptions options;
    options.control.port = 0;
    FakeServer server(kScenarios + "/rest-api.ini", options);
    ASSERT_THAT(server.control_url(), StartsWith("http://127.0.0.1:"));
    const auto port = static_cast<std::uint16_t>(std::stoi(server.control_url().substr(17)));
    const auto added = mockserve::test_support::exchange(
        port, "POST /routes HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nX-Mockserve: 1\r\nContent-Length: 51\r\n\r\n[route users tea]\nrequest = GET /tea\nresponse = 418\n");
    ASSERT_TRUE(added);
    EXPECT_EQ(added->status, 201);
    EXPECT_EQ(get(server.url(), "/tea")->status, 418);
    EXPECT_THAT(server.requests(), ElementsAre(AllOf(Path("/tea"), Route("tea"))));
    EXPECT_EQ(FakeServer(kScenarios + "/rest-api.ini").control_url(), "");
}

TEST(FakeServer, VerificationListsTheClosestRequests) {
    FakeServer server(kScenarios + "/checkout.ini");
    post_payment(server.url("api"), R"({"amount": 1})");
    const auto verified = server.VerifyExpectations();
    EXPECT_TRUE(verified);  // one POST /v1/payments arrived, even if no route took it
    EXPECT_THAT(verified.message(), HasSubstr("ok     api one-payment"));

    FakeServer quiet(kScenarios + "/checkout.ini");
    const auto failed = quiet.VerifyExpectations();
    EXPECT_FALSE(failed);
    EXPECT_THAT(failed.message(), HasSubstr("FAILED api one-payment (line 37): exactly 1 request(s) matching "
                                            "POST /v1/payments, got 0\n         no request reached api"));
}

TEST(FakeServer, BrokenScenarioIsAClearError) {
    try {
        FakeServer server(kScenarios + "/no-such.ini");
        FAIL() << "loaded a missing scenario";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("could not be loaded:\n  " + kScenarios + "/no-such.ini:0: cannot read the scenario file"));
    }
}

// --- Strict scenarios, order, state, reset ---------------------------------

ScenarioBuilder strict_orders() {
    ScenarioBuilder b("strict");
    b.unmatched(mockserve::scenario::Unmatched::fail);
    b.server("api").route("create").request("POST /orders").next_state("created").response(201);
    b.server("api").route("read").request("GET /orders/1").state("created").response(200);
    return b;
}

TEST(FakeServer, AStrictScenarioFailsTheTestOnAnUnmatchedRequestEvenWithoutVerifying) {
    EXPECT_NONFATAL_FAILURE(
        {
            FakeServer server(strict_orders());
            get(server.url(), "/orders/2");
        },
        "the scenario is strict (unmatched = fail) and 1 request(s) matched no route:\n"
        "  #1 GET /orders/2 on api\n    No route matched GET /orders/2.");
}

TEST(FakeServer, AStrictScenarioReportsEachUnmatchedRequestOnce) {
    FakeServer server(strict_orders());
    get(server.url(), "/orders/1");  // no route: the order was not created
    const auto verified = server.VerifyExpectations();
    EXPECT_FALSE(verified);
    EXPECT_THAT(verified.message(), HasSubstr("FAILED #1 GET /orders/1 on api\n"));
    EXPECT_THAT(verified.message(), HasSubstr("read: state is start, it needs created"));
    // Reported here, so the destructor stays quiet.
}

TEST(FakeServer, ResetStartsTheStoryAgain) {
    FakeServer server(strict_orders());
    EXPECT_EQ(post_payment(server.url(), "{}")->status, 404);  // wrong path: unmatched
    server.reset();
    ASSERT_TRUE(mockserve::test_support::exchange(server.port(), "POST /orders HTTP/1.1\r\nHost: x\r\n"
                                                                 "Content-Length: 0\r\n\r\n"));
    EXPECT_EQ(get(server.url(), "/orders/1")->status, 200);
    EXPECT_THAT(server.requests(), ElementsAre(AllOf(Method("POST"), State("start"), NextState("created")),
                                               AllOf(Method("GET"), State("created"))));
    EXPECT_TRUE(server.VerifyExpectations());  // the unmatched request went with the reset
}

TEST(ReceivedInOrder, FindsEachStepAfterThePrevious) {
    FakeServer server(kScenarios + "/checkout.ini");
    get(server.url("api"), "/oauth/token");
    get(server.url("api"), "/v1/accounts");
    get(server.url("api"), "/v1/other");
    EXPECT_TRUE(ReceivedInOrder(server.requests(), {Path("/oauth/token"), Path("/v1/accounts")}));
    const auto reversed = ReceivedInOrder(server.requests(), {Path("/v1/accounts"), Path("/oauth/token")});
    EXPECT_FALSE(reversed);
    EXPECT_THAT(reversed.message(), StartsWith("step 2 of 2, a request that has path \"/oauth/token\", did not come "
                                               "after #2 (one came earlier); 3 requests received:"));
    const auto missing = ReceivedInOrder(server.requests(), {Path("/logout")});
    EXPECT_THAT(missing.message(), StartsWith("step 1 of 1, a request that has path \"/logout\", was not received"));
}

}  // namespace
