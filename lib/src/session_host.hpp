#pragma once
// SessionHost: the server as a session sees it. A session needs the
// server's limits, handler factory, exchange observer and thread pool, and
// tells it when it closes; it knows nothing else of the server, and the
// server's own type (HTTPServer::Impl) stays private to http_server.cpp.

#include "io_pool.hpp"

#include <mockserve/exchange.hpp>
#include <mockserve/limits.hpp>

#include <memory>
#include <string_view>

namespace mockserve::http {
class BaseHTTPRequestHandler;
class HTTPServer;
}  // namespace mockserve::http

namespace mockserve::http::detail {

class Session;

class SessionHost {
public:
    virtual const Limits& session_limits() const = 0;
    // The HTTPServer handlers see as `server`.
    virtual HTTPServer& server() = 0;
    virtual std::unique_ptr<BaseHTTPRequestHandler> make_handler() = 0;
    // Empty when no exchange records are wanted.
    virtual const ExchangeObserver& observer() const = 0;
    virtual IoPool& pool() = 0;
    // Whether connections may speak HTTP/2 (HTTPServer::enable_http2()).
    virtual bool http2() const = 0;
    // The server is shutting down: finish the request in hand, start no other.
    virtual bool stopping() const = 0;
    virtual void log(std::string_view line) const = 0;
    virtual void session_closed(Session* session) = 0;

protected:
    ~SessionHost() = default;
};

}  // namespace mockserve::http::detail
