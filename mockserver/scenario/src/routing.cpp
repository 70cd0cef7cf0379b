#include "routing.hpp"

namespace mockserve::scenario::detail {

Routing::Routing(Scenario scenario, const std::vector<std::size_t>& added, Journal& journal, std::uint64_t seed,
                 const Routing* carried, ProxyResources& proxies)
    : scenario_(std::move(scenario)), state_(std::make_unique<ScenarioState>(scenario_, seed, added)) {
    if (carried) state_->carry_over(carried->state());
    for (std::size_t index = 0; index < scenario_.servers.size(); ++index)
        servers_.push_back(std::make_unique<ServerContext>(scenario_.servers[index], index, journal, *state_, &proxies));
}

}  // namespace mockserve::scenario::detail
