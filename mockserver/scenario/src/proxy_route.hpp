#pragma once
// ProxyRoute: forwards one request to a proxy route's upstream and streams
// its response back, on the handler's thread.
//
// The request body goes up as it is read from the client (what the handler
// had read to choose the route first): a body of known length keeps its
// Content-Length, one sent chunked goes up chunked. The response comes back
// piece by piece, each piece flushed to the client as it arrives, so
// neither body is ever held whole (unless the route records). Header fields
// follow proxy_headers.hpp.
//
// Failures are answers: before the upstream's head arrives, a 502 (refused,
// reset, unresolvable, TLS refused, malformed) or a 504 (proxy.timeout
// passed), with a text body naming the upstream and the reason; after it,
// the client's connection is closed, as the upstream's was. A pooled
// connection the upstream closed meanwhile is retried once on a new one
// when the request's body is still at hand.

#include "recording.hpp"
#include "upstream_pool.hpp"
#include "upstream_url.hpp"

#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/scenario/recorded_request.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

// What the handler knows of the request it hands over.
struct ProxiedRequest {
    std::string_view route;   // the route's name, for messages
    std::string_view target;  // as sent
    std::string body_read;    // what was read to choose the route
    bool body_whole = false;  // body_read is the whole body; otherwise the rest is in the handler's rfile
    bool client_tls = false;
};

class ProxyRoute {
public:
    // Throws std::invalid_argument for settings that cannot work (proxy.ca_file unreadable).
    ProxyRoute(const Proxy& spec, UpstreamUrl url, std::shared_ptr<UpstreamPool> pool, std::shared_ptr<Recording> recording);

    // Answers the handler's current request. `journal`: the request's
    // record (its upstream facts, and the body when it streamed); `cap`: how
    // much body the journal keeps. `abort`: closes the client's connection.
    void serve(http::BaseHTTPRequestHandler& handler, ProxiedRequest request, RecordedRequest& journal, std::size_t cap,
               const std::function<void()>& abort) const;

    const UpstreamPool& pool() const { return *pool_; }

private:
    void fail(http::BaseHTTPRequestHandler& handler, std::string_view route, const UpstreamError& error,
              RecordedRequest& journal) const;

    const Proxy& spec_;
    const UpstreamUrl url_;
    const std::shared_ptr<UpstreamPool> pool_;
    const std::shared_ptr<Recording> recording_;
};

}  // namespace mockserve::scenario::detail
