#include "scenario_validation.hpp"

#include <mockserve/cgi_http_request_handler.hpp>

#include <set>

namespace mockserve::scenario::detail {

std::vector<std::string> validate_routes(const Scenario& scenario, const Locator& where) {
    std::vector<std::string> errors;
    for (const auto& server : scenario.servers) {
        std::set<std::string> names;
        for (const auto& route : server.routes)
            if (!names.insert(route.name).second)
                errors.push_back(where.route(server, route) + ": server '" + server.name + "' has two routes named '" +
                                 route.name + "'");
    }
    for (auto& error : validate_behaviours(scenario, where)) errors.push_back(std::move(error));
    return errors;
}

std::vector<std::string> validate(const Scenario& scenario, const Locator& where) {
    auto errors = validate_routes(scenario, where);
    for (const auto& server : scenario.servers) {
        // Scripts that would all fail: a root mockserve runs them as nobody
        // (or cgi_user), who must be able to enter their folder.
        const auto user = http::script_user(server.cgi_user);
        if (!user || !user->changes) continue;
        for (const auto& route : server.routes) {
            const auto* scripts = std::get_if<CgiScripts>(&route.action);
            if (!scripts) continue;
            const auto blocked = http::first_unsearchable_folder(scripts->directory, *user);
            if (blocked.empty()) continue;
            errors.push_back(where.route(server, route) + ": the cgi folder " + scripts->directory +
                             " cannot be entered by user " + user->name + ", who runs the scripts (" + blocked +
                             " is not searchable by " + user->name + "): chmod o+x " + blocked +
                             ", move the scripts, or set cgi_user = current in [server " + server.name + "]");
        }
    }
    for (const auto& expectation : scenario.expectations)
        if (!scenario.find_server(expectation.server))
            errors.push_back(where.expectation(expectation) + ": expectation '" + expectation.name +
                             "': no server named " + expectation.server + " is declared");
    if (!scenario.journal.enabled && !scenario.expectations.empty())
        errors.push_back(where.journal + ": journal = off, but expectations are checked against the journal");
    if (scenario.servers.empty()) errors.push_back(where.scenario + ": no server is declared: nothing to start");
    for (auto& error : validate_tls(scenario, where)) errors.push_back(std::move(error));
    return errors;
}

}  // namespace mockserve::scenario::detail
