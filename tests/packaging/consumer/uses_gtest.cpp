// A user's first test with the GoogleTest layer.
#include <mockserve/gtest/fake_server.hpp>
#include <mockserve/gtest/mock_route.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace ::testing;
using namespace mockserve::gtest;

TEST(Consumer, FakeServerAndMatchers) {
    mockserve::scenario::ScenarioBuilder scenario;
    scenario.server("api").route("ok").request("GET /ping").response(200).response_body("pong");
    FakeServer server(scenario);
    EXPECT_THAT(server.requests(), IsEmpty());
    EXPECT_THAT(server.url(), StartsWith("http://127.0.0.1:"));
    EXPECT_TRUE(server.VerifyExpectations());
}

TEST(Consumer, ScenarioFileFromItsOwnFolder) {
    FakeServer server("ping.ini");  // tests/packaging/consumer/scenarios, through mockserve_scenario_path()
    EXPECT_THAT(server.url(), StartsWith("http://127.0.0.1:"));
    EXPECT_TRUE(server.VerifyExpectations());
}
