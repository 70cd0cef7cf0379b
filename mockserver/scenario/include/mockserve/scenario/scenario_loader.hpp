#pragma once
// Loading a scenario file: text in, a Scenario or every mistake out, each as
// "FILE:LINE: what is wrong". Nothing is half-loaded.

#include <mockserve/scenario/scenario.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario {

struct LoadResult {
    std::optional<Scenario> scenario;
    std::vector<std::string> errors;
    bool ok() const { return scenario.has_value(); }
};

// Routes to add to a running scenario (the control API's POST /routes):
// [route SERVER NAME] sections only, for servers `running` has, with names
// none of its routes has, and canned responses only (no static, cgi or
// response.body_file: text from a client must never make the server read a
// file or run a program). Errors are "LABEL:LINE: ...", as the loader's.
// The routes come in the order written.
struct RoutesResult {
    std::vector<std::pair<std::string, Route>> routes;  // (server, route)
    std::vector<std::string> errors;
    bool ok() const { return errors.empty(); }
};
RoutesResult parse_added_routes(std::string_view text, const std::string& label, const Scenario& running);

// Reads the file `name`, found along the scenario search path when relative
// (scenario_search_path.hpp); relative paths inside it resolve against its
// folder.
LoadResult load_scenario(const std::filesystem::path& name);
// `label` names the text in messages; relative paths resolve against `base`.
LoadResult parse_scenario(std::string_view text, const std::string& label, const std::filesystem::path& base);

}  // namespace mockserve::scenario
