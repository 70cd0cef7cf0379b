// ScenarioState: machines, `times` counts and random draws, without sockets.
#include "scenario_state.hpp"

#include <mockserve/scenario/scenario_builder.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace mockserve::scenario::detail {
namespace {

Scenario two_servers() {
    ScenarioBuilder b;
    auto& api = b.server("api");
    api.route("once").request("/once").times(1).response(200);                           // 0
    api.route("create").request("POST /orders").next_state("created").response(201);     // 1
    api.route("after").request("/orders/1").state("created").response(200);             // 2
    api.route("fill").request("POST /cart").next_state("cart:full").response(200);       // 3
    b.server("shop").route("full").request("/cart").state("cart:full").response(200);    // shop 0
    b.server("plain").route("any").request("/").response(200);
    return b.build();
}

TEST(ScenarioState, TimesCountsDown) {
    ScenarioState state(two_servers(), 1);
    EXPECT_TRUE(state.stateful(0));
    EXPECT_FALSE(state.stateful(2));
    EXPECT_TRUE(state.open(0, 0));
    state.answered(0, 0);
    EXPECT_FALSE(state.open(0, 0));
    EXPECT_EQ(state.why_closed(0, 0), "used up: it answered its times = 1 requests");
}

TEST(ScenarioState, ServerMachinesAreOwnNamedMachinesAreShared) {
    ScenarioState state(two_servers(), 1);
    EXPECT_FALSE(state.open(0, 2));
    EXPECT_EQ(state.why_closed(0, 2), "state is start, it needs created");
    const auto created = state.answered(0, 1);
    EXPECT_EQ(created.seen, "start");
    EXPECT_EQ(created.left, "created");
    EXPECT_TRUE(state.open(0, 2));
    // The named machine "cart" is the scenario's: api moves it, shop sees it.
    EXPECT_FALSE(state.open(1, 0));
    const auto filled = state.answered(0, 3);
    EXPECT_EQ(filled.seen, "cart:start");
    EXPECT_EQ(filled.left, "cart:full");
    EXPECT_TRUE(state.open(1, 0));
    // api's own machine was not touched by the cart.
    EXPECT_EQ(state.untouched(0).seen, "created");
    EXPECT_EQ(state.untouched(2).seen, "");  // a server without a machine
}

TEST(ScenarioState, ResetReturnsToTheStart) {
    ScenarioState state(two_servers(), 1);
    state.answered(0, 0);
    state.answered(0, 1);
    const auto first = state.draw(2, 0);
    state.reset();
    EXPECT_TRUE(state.open(0, 0));
    EXPECT_FALSE(state.open(0, 2));
    EXPECT_EQ(state.draw(2, 0), first);
}

TEST(ScenarioState, DrawsFollowTheSeedAndTheRouteNotTheThreads) {
    ScenarioState a(two_servers(), 7), b(two_servers(), 7), c(two_servers(), 8);
    std::vector<std::uint64_t> from_a, from_b;
    for (int i = 0; i < 5; ++i) from_a.push_back(a.draw(0, 1));
    // b draws for another route in between: route 1's numbers do not change.
    for (int i = 0; i < 5; ++i) {
        b.draw(0, 2);
        from_b.push_back(b.draw(0, 1));
    }
    EXPECT_EQ(from_a, from_b);
    EXPECT_NE(c.draw(0, 1), from_a[0]);
    EXPECT_NE(from_a[0], from_a[1]);
}

}  // namespace
}  // namespace mockserve::scenario::detail
