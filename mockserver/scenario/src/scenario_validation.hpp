#pragma once
// The rules a whole scenario must keep, checked once for the loader and the
// builder alike: each server's route names are unique, every expectation
// names a declared server, expectations need the journal, and there is a
// server to start. The syntax of single keys (a status, a request line, a
// count, a header name, a regular expression, JSON) is checked where the
// key is read, by the shared helpers in scenario_syntax.hpp.
//
// Messages say where the part was declared: "file.ini:12: ..." for a file,
// "route api create: ..." for a scenario built in code.

#include <mockserve/scenario/scenario.hpp>

#include <functional>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

struct Locator {
    std::function<std::string(const ServerSpec&, const Route&)> route;
    std::function<std::string(const Expectation&)> expectation;
    std::string journal;   // where the journal was switched off
    std::string scenario;  // where scenario-wide mistakes are reported
};

std::vector<std::string> validate(const Scenario& scenario, const Locator& where);

}  // namespace mockserve::scenario::detail
