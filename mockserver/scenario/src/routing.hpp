#pragma once
// Routing: what a runner's servers answer with, as one immutable value: the
// scenario as it runs (the file's routes, with routes added at run time in
// front of them), its state (machines, `times` counts, random draws) and
// each server's prepared routes.
//
// Rules:
//   - A change (a reload, a route added or removed, a reset) builds a new
//     Routing and publishes it whole through LiveRouting; nothing in a
//     published one changes but its state.
//   - A handler reads LiveRouting's generation at each request (one atomic
//     load) and takes the new Routing only when it changed; a request under
//     way finishes with the Routing it started with, which lives as long as
//     someone holds it.

#include "scenario_handler.hpp"
#include "scenario_state.hpp"

#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace mockserve::scenario::detail {

class Routing {
public:
    // `scenario`: each server's routes with the `added[server]` routes added
    // at run time in front. `carried`: a Routing whose machines, counts and
    // draws go on in this one (a route added or removed); none: they start
    // afresh (a start, a reload, a reset). Throws std::invalid_argument when
    // a route cannot be prepared (a template that does not compile).
    Routing(Scenario scenario, const std::vector<std::size_t>& added, Journal& journal, std::uint64_t seed,
            const Routing* carried, ProxyResources& proxies);
    Routing(const Routing&) = delete;
    Routing& operator=(const Routing&) = delete;

    const Scenario& scenario() const { return scenario_; }
    ScenarioState& state() const { return *state_; }
    const ServerContext& server(std::size_t index) const { return *servers_[index]; }

private:
    Scenario scenario_;
    std::unique_ptr<ScenarioState> state_;
    std::vector<std::unique_ptr<ServerContext>> servers_;
};

class LiveRouting {
public:
    explicit LiveRouting(std::shared_ptr<const Routing> first) : current_(std::move(first)) {}

    // Changes whenever current() does; cheap enough to read per request.
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    std::shared_ptr<const Routing> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void publish(std::shared_ptr<const Routing> next) {
        std::lock_guard lock(mutex_);
        current_ = std::move(next);
        generation_.fetch_add(1, std::memory_order_release);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Routing> current_;
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace mockserve::scenario::detail
