#include "scenario_state.hpp"

#include <algorithm>

namespace mockserve::scenario::detail {

namespace {

// SplitMix64's finaliser: a well-mixed 64-bit number from any input.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}


// FNV-1a: a number for a route added at run time, from its names.
std::uint64_t name_number(const std::string& server, const std::string& route) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const auto& text : {server, std::string("/"), route})
        for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h | (1ULL << 63);  // never a file route's place
}

}  // namespace

ScenarioState::ScenarioState(const Scenario& scenario, std::uint64_t seed, const std::vector<std::size_t>& added)
    : seed_(seed) {
    std::uint64_t id = 0;
    for (const auto& server : scenario.servers) {
        const auto added_here = added.size() > servers_.size() ? added[servers_.size()] : 0;
        auto& s = servers_.emplace_back();
        s.name = server.name;
        const auto machine_of = [&](const StateRef& ref) {
            const int m = machine_index(ref.machine.empty() ? "server " + server.name : ref.machine, ref.machine);
            if (ref.machine.empty()) s.own_machine = m;
            return m;
        };
        for (const auto& route : server.routes) {
            auto& r = s.routes.emplace_back();
            r.id = s.routes.size() <= added_here ? name_number(server.name, route.name) : ++id;
            r.name = route.name;
            r.times = route.times.value_or(0);
            if (route.state) {
                r.machine = machine_of(*route.state);
                r.state = state_index(r.machine, route.state->state);
            }
            if (route.next_state) {
                r.next_machine = machine_of(*route.next_state);
                r.next_state = state_index(r.next_machine, route.next_state->state);
                if (r.machine < 0) r.machine = r.next_machine;
            }
            s.stateful = s.stateful || route.stateful();
        }
    }
}

int ScenarioState::machine_index(const std::string& key, const std::string& name) {
    const auto it = std::find_if(machines_.begin(), machines_.end(), [&](const Machine& m) { return m.key == key; });
    if (it != machines_.end()) return static_cast<int>(it - machines_.begin());
    machines_.push_back({key, name, {"start"}, 0});
    return static_cast<int>(machines_.size() - 1);
}

int ScenarioState::state_index(int machine, const std::string& state) {
    auto& states = machines_[machine].states;
    const auto it = std::find(states.begin(), states.end(), state);
    if (it != states.end()) return static_cast<int>(it - states.begin());
    states.push_back(state);
    return static_cast<int>(states.size() - 1);
}

std::string ScenarioState::describe(int machine, int state) const {
    const auto& m = machines_[machine];
    return m.name.empty() ? m.states[state] : m.name + ":" + m.states[state];
}

bool ScenarioState::open(std::size_t server, std::size_t route) const {
    const auto& r = servers_[server].routes[route];
    if (r.times && r.answered >= r.times) return false;
    return r.state < 0 || machines_[r.machine].current == r.state;
}

std::string ScenarioState::why_closed(std::size_t server, std::size_t route) const {
    const auto& r = servers_[server].routes[route];
    if (r.times && r.answered >= r.times)
        return "used up: it answered its times = " + std::to_string(r.times) + " requests";
    if (r.state >= 0 && machines_[r.machine].current != r.state)
        return "state is " + describe(r.machine, machines_[r.machine].current) + ", it needs " +
               describe(r.machine, r.state);
    return {};
}

StateTrace ScenarioState::answered(std::size_t server, std::size_t route) {
    auto& r = servers_[server].routes[route];
    ++r.answered;
    if (r.machine < 0) return untouched(server);
    StateTrace trace;
    trace.seen = describe(r.machine, machines_[r.machine].current);
    if (r.next_machine >= 0) machines_[r.next_machine].current = r.next_state;
    const int shown = r.next_machine >= 0 ? r.next_machine : r.machine;
    trace.left = describe(shown, machines_[shown].current);
    return trace;
}

StateTrace ScenarioState::untouched(std::size_t server) const {
    const int m = servers_[server].own_machine;
    if (m < 0) return {};
    const auto now = describe(m, machines_[m].current);
    return {now, now};
}

std::uint64_t ScenarioState::draw(std::size_t server, std::size_t route) {
    auto& r = servers_[server].routes[route];
    const auto n = r.draws->fetch_add(1, std::memory_order_relaxed);
    return mix(seed_ ^ mix(r.id * 0x100000001b3ULL + n));
}

void ScenarioState::carry_over(const ScenarioState& other) {
    std::scoped_lock hold(mutex_, other.mutex_);
    for (auto& machine : machines_) {
        const auto it = std::find_if(other.machines_.begin(), other.machines_.end(),
                                     [&](const Machine& m) { return m.key == machine.key; });
        if (it != other.machines_.end()) machine.current = state_index(static_cast<int>(&machine - machines_.data()), it->states[it->current]);
    }
    for (auto& server : servers_) {
        const auto theirs = std::find_if(other.servers_.begin(), other.servers_.end(),
                                         [&](const ServerState& s) { return s.name == server.name; });
        if (theirs == other.servers_.end()) continue;
        for (auto& route : server.routes) {
            const auto it = std::find_if(theirs->routes.begin(), theirs->routes.end(),
                                         [&](const RouteState& r) { return r.name == route.name; });
            if (it == theirs->routes.end()) continue;
            route.answered = it->answered;
            route.draws->store(it->draws->load(std::memory_order_relaxed), std::memory_order_relaxed);
        }
    }
}

void ScenarioState::reset() {
    std::lock_guard<std::mutex> hold(mutex_);
    for (auto& m : machines_) m.current = 0;
    for (auto& s : servers_)
        for (auto& r : s.routes) {
            r.answered = 0;
            r.draws->store(0, std::memory_order_relaxed);
        }
}

}  // namespace mockserve::scenario::detail
