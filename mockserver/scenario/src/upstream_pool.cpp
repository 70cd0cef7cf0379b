#include "upstream_pool.hpp"

namespace mockserve::scenario::detail {

UpstreamPool::UpstreamPool(UpstreamUrl url, const std::string& ca_file, bool insecure) : url_(std::move(url)) {
    if (url_.tls) tls_.emplace(ca_file, insecure);
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle() {
    while (true) {
        std::unique_ptr<UpstreamConnection> connection;
        {
            std::lock_guard hold(mutex_);
            if (idle_.empty()) return nullptr;
            // The newest: the one least likely to have been closed by the upstream's idle timeout.
            connection = std::move(idle_.back());
            idle_.pop_back();
        }
        if (connection->still_open()) return connection;
    }
}

std::unique_ptr<UpstreamConnection> UpstreamPool::open(UpstreamConnection::Clock::time_point deadline) {
    auto connection = UpstreamConnection::open(url_, tls_ ? &*tls_ : nullptr, deadline);
    opened_.fetch_add(1, std::memory_order_relaxed);
    return connection;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> connection) {
    std::unique_ptr<UpstreamConnection> closed;  // closed outside the lock
    std::lock_guard hold(mutex_);
    if (idle_.size() >= kMaxIdle) {
        closed = std::move(idle_.front());
        idle_.erase(idle_.begin());
    }
    idle_.push_back(std::move(connection));
}

}  // namespace mockserve::scenario::detail
