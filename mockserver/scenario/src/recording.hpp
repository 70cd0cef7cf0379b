#pragma once
// Recording: the exchanges a recording proxy route let through, kept until
// the run ends and written as scenario routes (recording_writer.hpp).
// Thread-safe: handlers of several connections add at once.

#include <mockserve/scenario/scenario.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

// One request as forwarded and the response as the client received it
// (hop-by-hop fields already gone, Via included).
struct ProxiedExchange {
    std::string method;
    std::string target;  // as the client sent it
    std::vector<Field> request_headers;
    std::string request_body;
    int status = 0;
    std::string reason;
    std::vector<Field> response_headers;
    std::string response_body;
    bool response_chunked = false;  // the client got it chunked: no Content-Length came
};

class Recording {
public:
    // Bodies larger than this are not recorded: the exchange is left out and counted.
    static constexpr std::size_t kMaxBody = 64 * 1024 * 1024;

    Recording(std::string server, Proxy settings) : server_(std::move(server)), settings_(std::move(settings)) {}

    const std::string& server() const { return server_; }
    const Proxy& settings() const { return settings_; }
    void add(ProxiedExchange exchange);
    void count_left_out();
    // What has been added, in order, and forgotten (a run's end writes once).
    std::vector<ProxiedExchange> take();
    std::uint64_t left_out() const;

private:
    const std::string server_;
    const Proxy settings_;
    mutable std::mutex mutex_;
    std::vector<ProxiedExchange> exchanges_;
    std::uint64_t left_out_ = 0;
};

}  // namespace mockserve::scenario::detail
