#pragma once
// UpstreamPool: the keep-alive connections to one proxy route's upstream.
// A handler takes an idle one (or opens one), sends one request and reads
// its response, and gives the connection back when the response ended
// cleanly and the upstream keeps it open. At most kMaxIdle wait; the
// oldest is closed to make room. Thread-safe.

#include "openssl_client.hpp"
#include "upstream_connection.hpp"
#include "upstream_url.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace mockserve::scenario::detail {

class UpstreamPool {
public:
    static constexpr std::size_t kMaxIdle = 32;

    // Throws std::invalid_argument for a proxy.ca_file OpenSSL cannot read.
    UpstreamPool(UpstreamUrl url, const std::string& ca_file, bool insecure);

    const UpstreamUrl& url() const { return url_; }
    // An idle connection the upstream has not closed meanwhile, or null.
    std::unique_ptr<UpstreamConnection> take_idle();
    // A new connection; throws UpstreamError.
    std::unique_ptr<UpstreamConnection> open(UpstreamConnection::Clock::time_point deadline);
    void give_back(std::unique_ptr<UpstreamConnection> connection);
    // How many connections it has opened: what pooling saves shows here.
    std::uint64_t opened() const { return opened_.load(std::memory_order_relaxed); }

private:
    const UpstreamUrl url_;
    std::optional<ClientTls> tls_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<UpstreamConnection>> idle_;  // oldest first
    std::atomic<std::uint64_t> opened_{0};
};

}  // namespace mockserve::scenario::detail
