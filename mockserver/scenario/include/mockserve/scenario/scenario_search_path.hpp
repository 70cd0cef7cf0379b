#pragma once
// Where a scenario file named by a relative path is looked for, so that a
// test names "checkout.ini" and finds it whatever folder CTest runs it in:
//
//   1. the path as given, from the current folder;
//   2. each folder of the environment variable MOCKSERVE_SCENARIO_PATH
//      (separated by ':', as PATH);
//   3. each folder added with add_scenario_search_path(), in order: the CMake
//      function mockserve_scenario_path(TARGET DIR...) adds its folders to a
//      test executable this way, before main() runs.
//
// An absolute path is taken as it is.

#include <filesystem>
#include <optional>
#include <vector>

namespace mockserve::scenario {

// Adds `folder` to the end of the search path, for the whole process.
// Thread-safe; returns true, so that a namespace-scope constant can call it.
bool add_scenario_search_path(const std::filesystem::path& folder);

// The folders looked in after the current one, in order: the environment's,
// then the added ones.
std::vector<std::filesystem::path> scenario_search_path();

// The first existing file for `name` along the search path, or nothing.
std::optional<std::filesystem::path> find_scenario_file(const std::filesystem::path& name);

}  // namespace mockserve::scenario
