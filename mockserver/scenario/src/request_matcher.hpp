#pragma once
// Matching a request against a RequestPattern, and saying why it did not
// match. Pure.

#include <mockserve/scenario/scenario.hpp>

#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario::detail {

// What matching looks at.
struct RequestFacts {
    std::string_view method;
    std::string_view path;  // decoded, without the query
    const std::vector<Field>* query = nullptr;    // decoded
    const std::vector<Field>* headers = nullptr;
    std::string_view body;
    // The body's canonical JSON, computed once when a pattern asks for it.
    mutable std::optional<std::optional<std::string>> json;
};

// Whether `pattern` matches. With `why`, every condition that fails is
// described there ("method is GET, expected POST").
bool matches(const RequestPattern& pattern, const RequestFacts& request, std::vector<std::string>* why = nullptr);

// "/a%20b?x=1&y=%2F" to ("/a b", [("x","1"), ("y","/")]): '+' is a space in the query.
std::pair<std::string, std::vector<Field>> split_target(std::string_view target);

// What else decides whether a route may answer now, beside its conditions
// (its `times` left, its machine's state).
class RouteGate {
public:
    virtual bool open(std::size_t route) const = 0;
    virtual std::string why_closed(std::size_t route) const = 0;

protected:
    ~RouteGate() = default;
};

// Routes in file order, exact paths indexed: finding the first route that
// matches costs one hash look-up plus the routes that are not exact paths.
class RouteTable {
public:
    explicit RouteTable(const std::vector<Route>& routes);
    // The index of the first route that matches (and that `gate`, if given,
    // lets answer), or nothing.
    std::optional<std::size_t> find(const RequestFacts& request, const RouteGate* gate = nullptr) const;
    // For a request no route matched: the closest routes (fewest failed
    // conditions, file order on ties) and what failed, as text.
    std::string explain_miss(const RequestFacts& request, const RouteGate* gate = nullptr,
                             std::size_t at_most = 3) const;
    // Whether some route's conditions look at the body: then a request's
    // body is read before a route is chosen (a proxy route streams it otherwise).
    bool reads_body() const { return reads_body_; }

private:
    const std::vector<Route>& routes_;
    std::unordered_map<std::string, std::vector<std::size_t>> exact_;
    std::vector<std::size_t> others_;
    bool reads_body_ = false;
};

}  // namespace mockserve::scenario::detail
