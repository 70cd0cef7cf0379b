// The checks of validate_behaviours() (scenario_validation.hpp).

#include "response_template.hpp"
#include "scenario_validation.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <map>
#include <set>

namespace mockserve::scenario::detail {

namespace {

// A machine's name as the runner keys it: a named machine is the
// scenario's, an unnamed one its server's.
std::string machine_of(const ServerSpec& server, const StateRef& state) {
    return state.machine.empty() ? "server " + server.name : state.machine;
}

std::string machine_words(const ServerSpec& server, const StateRef& state) {
    return state.machine.empty() ? "server " + server.name + "'s machine" : "machine " + state.machine;
}

void check_canned(const ServerSpec& server, const Route& route, const CannedResponse& response, const Locator& where,
                  std::vector<std::string>& errors) {
    const auto at = [&](const char* key) { return where.route_key(server, route, key) + ": "; };
    if (!response.events.empty()) {
        if (!response.body.empty())
            errors.push_back(at("response.event") + "route '" + route.name +
                             "' has events and a response.body: the events are its body; give one or the other");
        if (response.chunk_size)
            errors.push_back(at("response.chunk_size") +
                             "response.chunk_size paces a body; events are paced by response.event_delay");
        if (!http::detail::status_has_body(response.status))
            errors.push_back(at("response.event") + "a " + std::to_string(response.status) +
                             " response has no body to carry events");
    } else {
        if (response.event_delay.count() > 0)
            errors.push_back(at("response.event_delay") + "response.event_delay without any response.event");
        if (response.event_repeat)
            errors.push_back(at("response.event_repeat") + "response.event_repeat without any response.event");
    }
    if (response.chunk_delay.count() > 0 && !response.chunk_size)
        errors.push_back(at("response.chunk_delay") +
                         "response.chunk_delay needs response.chunk_size (the size of the pieces it pauses between)");
    for (const auto& [name, value] : response.headers) {
        if (http::iequals(name, "Transfer-Encoding") && !http::iequals(value, "chunked"))
            errors.push_back(at("response.header") + "Transfer-Encoding: " + value +
                             ": a canned body can only be sent chunked (Transfer-Encoding: chunked) or with its length");
    }
    if (response.template_on) {
        std::string error, key;
        if (!compile_templates(route, response, error, key))
            errors.push_back(where.route_key(server, route, key) + ": " + error);
    }
}

}  // namespace

const Expectation* find_after(const Scenario& scenario, const Expectation& expectation, std::string& error) {
    const auto& name = expectation.after;
    const auto slash = name.find('/');
    std::vector<const Expectation*> found;
    for (const auto& other : scenario.expectations) {
        if (slash != std::string::npos) {
            if (other.server == name.substr(0, slash) && other.name == name.substr(slash + 1)) found.push_back(&other);
        } else if (other.name == name) {
            found.push_back(&other);
        }
    }
    if (found.size() > 1 && slash == std::string::npos) {
        // The same server's wins over the others.
        std::vector<const Expectation*> own;
        for (const auto* e : found)
            if (e->server == expectation.server) own.push_back(e);
        if (own.size() == 1) found = own;
    }
    if (found.empty()) {
        error = "after = " + name + ": no expectation named " + name + " (say NAME, or SERVER/NAME)";
        return nullptr;
    }
    if (found.size() > 1) {
        error = "after = " + name + ": several servers have an expectation named " + name + "; say SERVER/" + name;
        return nullptr;
    }
    if (found[0] == &expectation) {
        error = "after = " + name + ": an expectation cannot come after itself";
        return nullptr;
    }
    return found[0];
}

std::vector<std::string> validate_behaviours(const Scenario& scenario, const Locator& where) {
    std::vector<std::string> errors;
    // Every machine starts in "start"; the other states are those some
    // route moves it to. A `state` nothing leads to can never match.
    std::map<std::string, std::set<std::string>> reachable;
    for (const auto& server : scenario.servers)
        for (const auto& route : server.routes)
            if (route.next_state) reachable[machine_of(server, *route.next_state)].insert(route.next_state->state);
    for (const auto& server : scenario.servers) {
        for (const auto& route : server.routes) {
            if (const auto* canned = std::get_if<CannedResponse>(&route.action))
                check_canned(server, route, *canned, where, errors);
            if (!route.state || route.state->state == "start") continue;
            const auto& states = reachable[machine_of(server, *route.state)];
            if (!states.count(route.state->state))
                errors.push_back(where.route_key(server, route, "state") + ": state = " + route.state->to_string() +
                                 ": no route moves " + machine_words(server, *route.state) + " to " +
                                 route.state->state + " (with next_state = " + route.state->to_string() +
                                 "), and every machine starts in start");
        }
    }
    for (const auto& expectation : scenario.expectations) {
        if (expectation.after.empty()) continue;
        std::string error;
        if (!find_after(scenario, expectation, error)) errors.push_back(where.expectation(expectation) + ": " + error);
    }
    return errors;
}

}  // namespace mockserve::scenario::detail
