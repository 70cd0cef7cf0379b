#pragma once
// ControlServer: a runner's control API and its live journal page, on its
// own HTTP server (loopback unless told otherwise). Each request passes
// ControlGuard first; the endpoints (scenarios/README.md) then call the
// runner's public API, so that the C++ tests and the HTTP clients steer a
// run the same way. Long polls and event streams wait on the journal on a
// pool thread of their own (the server adds threads for handlers that
// wait); stop() wakes them, so that a shutdown never waits for one.

#include "control_guard.hpp"

#include <mockserve/http_server.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace mockserve::scenario {
class ScenarioRunner;
}

namespace mockserve::scenario::detail {

class ControlServer {
public:
    // Binds `bind` (empty: 127.0.0.1) on `port` (0: any free one); a
    // non-loopback address gets a token, made here. Its requests are not
    // logged: a page's polls and streams would bury the scenario's own log.
    ControlServer(ScenarioRunner& runner, const std::string& bind, std::uint16_t port);
    ~ControlServer();

    std::string url() const;
    const std::string& token() const { return guard_.token; }
    bool stopping() const { return stopping_.load(std::memory_order_acquire); }
    // Ends the waits and streams under way, then the server. Idempotent.
    void stop();

    ScenarioRunner& runner() const { return runner_; }
    const ControlGuard& guard() const { return guard_; }

private:
    ScenarioRunner& runner_;
    ControlGuard guard_;
    std::atomic<bool> stopping_{false};
    std::unique_ptr<http::HTTPServer> server_;
};

// The page served at GET / (control_page.html, embedded at build time).
extern const char* const kControlPage;

}  // namespace mockserve::scenario::detail
