#pragma once
// ProxyResources: what a runner's proxy routes share across its routings
// (a reload or an added route builds a new Routing; these outlive it):
//   - one UpstreamPool per upstream and TLS settings, so that reloading a
//     scenario keeps its warm connections;
//   - one Recording per recording file and server, written when the run
//     ends (write_recordings(), once);
//   - the proxy.insecure warning, said once per upstream.

#include "proxy_route.hpp"
#include "recording.hpp"
#include "upstream_pool.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

class ProxyResources {
public:
    explicit ProxyResources(std::function<void(const std::string&)> notice) : notice_(std::move(notice)) {}

    // The route's forwarding, prepared. Throws std::invalid_argument for a
    // URL or a proxy.ca_file that cannot work.
    std::unique_ptr<ProxyRoute> prepare(const std::string& server, const Route& route, const Proxy& spec);
    // Appends each recording to its file (the body files beside it); returns
    // a line for each file written. Later calls write nothing more.
    std::vector<std::string> write_recordings();

private:
    const std::function<void(const std::string&)> notice_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<UpstreamPool>> pools_;
    std::map<std::string, std::shared_ptr<Recording>> recordings_;  // by file, then server
    std::set<std::string> warned_;
    bool written_ = false;
};

// Appends `recording`'s exchanges to its file as routes, creating the file
// (with a [scenario] and a [server] section) when there is none; bodies go
// to the body folder. Returns what it did, in a line; throws
// std::runtime_error when a file cannot be written.
std::string append_recording(Recording& recording);

}  // namespace mockserve::scenario::detail
