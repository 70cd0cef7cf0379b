#pragma once
// A scenario as INI text that the loader reads back to the same scenario:
// what GET /scenario shows for a scenario made in code. Keys at their
// defaults are left out. What INI cannot hold is written as a comment that
// says so: a callback route (its answer is code), and a value that would
// not survive a line of INI (a body with a line break, white space at
// either end, or " # ", which starts a comment).

#include <mockserve/scenario/scenario.hpp>

#include <string>

namespace mockserve::scenario::detail {

std::string write_ini(const Scenario& scenario);
// One [route SERVER NAME] section, a blank line before it.
std::string write_route_ini(const std::string& server, const Route& route);

}  // namespace mockserve::scenario::detail
