#pragma once
// The values the scenario file and ScenarioBuilder share the syntax of.

#include <mockserve/scenario/scenario.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

// "[METHODS] PATH" into `pattern` (methods "GET" or "GET|HEAD"; PATH "/a",
// "/a/*" or "~ regex"). Returns what is wrong, or "" when nothing is.
std::string parse_request_line(const std::string& text, RequestPattern& pattern);
// "N", ">=N" or "<=N".
std::optional<CountRule> parse_count(std::string_view text);

}  // namespace mockserve::scenario::detail
