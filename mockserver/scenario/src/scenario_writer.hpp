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

}  // namespace mockserve::scenario::detail
