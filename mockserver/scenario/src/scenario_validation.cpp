#include "scenario_validation.hpp"

#include <set>

namespace mockserve::scenario::detail {

std::vector<std::string> validate(const Scenario& scenario, const Locator& where) {
    std::vector<std::string> errors;
    for (const auto& server : scenario.servers) {
        std::set<std::string> names;
        for (const auto& route : server.routes)
            if (!names.insert(route.name).second)
                errors.push_back(where.route(server, route) + ": server '" + server.name + "' has two routes named '" +
                                 route.name + "'");
    }
    for (const auto& expectation : scenario.expectations)
        if (!scenario.find_server(expectation.server))
            errors.push_back(where.expectation(expectation) + ": expectation '" + expectation.name +
                             "': no server named " + expectation.server + " is declared");
    if (!scenario.journal.enabled && !scenario.expectations.empty())
        errors.push_back(where.journal + ": journal = off, but expectations are checked against the journal");
    if (scenario.servers.empty()) errors.push_back(where.scenario + ": no server is declared: nothing to start");
    return errors;
}

}  // namespace mockserve::scenario::detail
