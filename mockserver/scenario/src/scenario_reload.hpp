#pragma once
// What a reload may not change: a server that runs keeps its name, its
// place, its address and port, its protocol, its TLS and its limits, and
// the journal keeps its settings. Routes, expectations, responses, the
// seed and the unmatched rule may change.

#include <mockserve/scenario/scenario.hpp>

#include <string>
#include <vector>

namespace mockserve::scenario::detail {

// Why `next` cannot replace `running` in place, one sentence per reason;
// empty when it can.
std::vector<std::string> reload_refusals(const Scenario& running, const Scenario& next);

}  // namespace mockserve::scenario::detail
