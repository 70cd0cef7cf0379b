#pragma once
// Regex: a regular expression of a scenario (`request = GET ~ EXPR`,
// `request.body_regex`), in ECMAScript syntax.
//
// Matched by Boost.Regex, which keeps its backtracking state on the heap
// and gives up past a bound: std::regex recursed once per character, so
// `(a|b)*c` searched in a 100 KB body overflowed the stack and killed the
// server. A search that gives up is reported as such, never a crash.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario {

class Regex {
public:
    // Throws std::invalid_argument, saying what is wrong and where, for an
    // expression that does not compile (nesting deeper than the engine's
    // bound included).
    explicit Regex(const std::string& expression);

    enum class Search { found, not_found, gave_up };
    // Whether the expression matches somewhere in `text`; when the engine
    // gives up, `why` (if given) says so in its words.
    Search search(std::string_view text, std::string* why = nullptr) const;

    // search(), keeping what matched: the whole match first, then each
    // group ("" for a group that took no part).
    Search search(std::string_view text, std::vector<std::string>& groups) const;
    // How many groups the expression has (the whole match not counted).
    std::size_t groups() const;

    const std::string& expression() const { return expression_; }

private:
    struct Compiled;
    std::string expression_;
    std::shared_ptr<const Compiled> compiled_;
};

}  // namespace mockserve::scenario
