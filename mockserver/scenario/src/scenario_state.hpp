#pragma once
// ScenarioState: what a running scenario remembers between requests, for
// every server of a runner: each state machine's current state, how many
// requests each `times` route has answered, and how many random numbers
// each route has drawn.
//
// Rules:
//   - Choosing a route and recording what it did (its count, its machine's
//     move) happen under one lock, for servers that have stateful routes
//     (times, state or next_state): 16 clients racing for a `times = 5`
//     route get exactly 5 of its answers. Other servers never take it.
//   - A machine named in `MACHINE:STATE` is the scenario's, shared by its
//     servers; a plain `STATE` is its server's own machine. All start in
//     "start".
//   - Random numbers are a pure function of (seed, route, how many that
//     route drew before): a run with the same seed and the same requests in
//     the same order per route draws the same numbers, however threads
//     interleave.
//     A route's number in that function is its place among its scenario
//     file's routes (a route added at run time has one made from its
//     server's and its own name), so adding a route changes no other
//     route's numbers.
//   - reset() returns machines, counts and draws to where they started;
//     carry_over() takes them from another state, route by route name
//     and machine by name (a route added or removed at run time).

#include <mockserve/scenario/scenario.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

// The states a request saw and left ("created", "cart:full"); empty when
// its server has no machine and its route names none.
struct StateTrace {
    std::string seen;
    std::string left;
};

class ScenarioState {
public:
    // `added[server]`: how many of that server's first routes were added at
    // run time (none when empty).
    ScenarioState(const Scenario& scenario, std::uint64_t seed, const std::vector<std::size_t>& added = {});

    std::uint64_t seed() const { return seed_; }
    // Whether server `server`'s routes need the lock (one of them is stateful).
    bool stateful(std::size_t server) const { return servers_[server].stateful; }
    std::mutex& lock() { return mutex_; }

    // Under lock(): whether the route may answer now (times left, its
    // machine in its state), and, when not, why (for a near-miss message).
    bool open(std::size_t server, std::size_t route) const;
    std::string why_closed(std::size_t server, std::size_t route) const;
    // Under lock(): the route answers; counts it and moves its machine.
    StateTrace answered(std::size_t server, std::size_t route);
    // Under lock(): the state a request no stateful route answered saw.
    StateTrace untouched(std::size_t server) const;

    // The route's next random number (no lock needed).
    std::uint64_t draw(std::size_t server, std::size_t route);
    // Machines to "start", counts and draws to zero.
    void reset();
    // Each machine in the state it has in `other`, each route (by its
    // server and name) with the counts and draws it has there.
    void carry_over(const ScenarioState& other);

private:
    struct RouteState {
        std::uint64_t times = 0;  // 0: unlimited
        int machine = -1;         // of `state` (or of next_state when there is no state)
        int state = -1;           // the state it needs; -1: any
        int next_machine = -1;
        int next_state = -1;
        std::uint64_t answered = 0;
        std::unique_ptr<std::atomic<std::uint64_t>> draws = std::make_unique<std::atomic<std::uint64_t>>(0);
        std::uint64_t id = 0;  // its place in the scenario, for the random numbers
        std::string name;
    };
    struct Machine {
        std::string key;   // the machine's name, or "server NAME" for a server's own
        std::string name;  // "" for a server's own
        std::vector<std::string> states;  // by id; 0 is "start"
        int current = 0;
    };
    struct ServerState {
        std::string name;
        bool stateful = false;
        int own_machine = -1;  // its unnamed machine, when a route uses it
        std::vector<RouteState> routes;
    };
    int machine_index(const std::string& key, const std::string& name);
    int state_index(int machine, const std::string& state);
    std::string describe(int machine, int state) const;

    std::uint64_t seed_;
    mutable std::mutex mutex_;
    std::vector<Machine> machines_;
    std::vector<ServerState> servers_;
};

}  // namespace mockserve::scenario::detail
