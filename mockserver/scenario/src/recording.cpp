#include "recording.hpp"

namespace mockserve::scenario::detail {

void Recording::add(ProxiedExchange exchange) {
    std::lock_guard hold(mutex_);
    exchanges_.push_back(std::move(exchange));
}

void Recording::count_left_out() {
    std::lock_guard hold(mutex_);
    ++left_out_;
}

std::vector<ProxiedExchange> Recording::take() {
    std::lock_guard hold(mutex_);
    return std::exchange(exchanges_, {});
}

std::uint64_t Recording::left_out() const {
    std::lock_guard hold(mutex_);
    return left_out_;
}

}  // namespace mockserve::scenario::detail
