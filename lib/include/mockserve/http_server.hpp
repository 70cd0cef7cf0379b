#pragma once
// HTTPServer: Python's http.server.HTTPServer on Boost.Asio.
//
// HTTPServer(server_address, handler factory) binds and listens at once, as
// Python's does, so server_port holds the real port when 0 was asked.
// serve_forever() serves on the calling thread (and the pool) until
// shutdown(); start() does the same in the background and returns at once,
// the socket already listening: the form tests want.
//
//   HTTPServer server({"127.0.0.1", 0}, handler_class<MyHandler>());
//   server.start();
//   // ... talk to server.url() ...
//   server.shutdown();   // or let the destructor do it
//
// Unlike Python's HTTPServer, which serves one connection at a time, this one
// always serves many at once: connections are read asynchronously, and a
// handler that blocks makes the server add a thread rather than stall the
// others. Handlers of different connections can therefore run at the same
// time: guard state they share. ThreadingHTTPServer differs only in running
// one I/O thread per core by default.

#include <mockserve/address.hpp>
#include <mockserve/exchange.hpp>
#include <mockserve/limits.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mockserve::http {

class BaseHTTPRequestHandler;
namespace detail {
class TlsContext;
}

// Makes a handler for each new connection: Python's RequestHandlerClass.
using HandlerFactory = std::function<std::unique_ptr<BaseHTTPRequestHandler>()>;

// The factory for handler type H, made with `args` (copied for each connection).
template <class H, class... Args>
HandlerFactory handler_class(Args... args) {
    return [=] { return std::unique_ptr<BaseHTTPRequestHandler>(new H(args...)); };
}

// Where log lines go; each call is one line, without its '\n'.
using LogSink = std::function<void(std::string_view line)>;

class HTTPServer {
public:
    HTTPServer(Address server_address, HandlerFactory handler, Limits limits = {});
    virtual ~HTTPServer();
    HTTPServer(const HTTPServer&) = delete;
    HTTPServer& operator=(const HTTPServer&) = delete;

    Address server_address;   // as bound: the real port
    std::string server_name;  // "localhost" for a loopback address, the host name for any
    std::uint16_t server_port = 0;
    // handle_request() waits this long for a connection, then calls handle_timeout().
    std::optional<std::chrono::milliseconds> timeout;

    // Serves until shutdown(), on this thread and the pool's.
    void serve_forever();
    // Serves in the background; returns at once. Idempotent.
    void start();
    // Graceful: stops accepting and closes the listening socket, closes idle
    // keep-alive connections, lets requests in flight finish (for at most
    // Limits::shutdown_timeout), then returns once every thread has ended.
    // Idempotent; safe from any thread, a handler's included (it then only
    // starts the shutdown, since its own thread cannot be waited for).
    void shutdown();
    void stop() { shutdown(); }
    // Accepts one connection and serves it to its end on this thread. False
    // when `timeout` passed first (handle_timeout() was called).
    bool handle_request();
    virtual void handle_timeout() {}
    // Closes the listening socket. Idempotent.
    void server_close();

    // "http://127.0.0.1:PORT" ("https://..." for an HTTPSServer)
    std::string url() const;
    const Limits& limits() const;
    // Log lines go to standard error unless sent elsewhere; quiet() drops them.
    void set_log_sink(LogSink sink);
    void quiet();
    void log(std::string_view line) const;
    // False after quiet(): handlers skip formatting lines nobody reads.
    bool logging() const;
    // Connections open now.
    std::size_t connection_count() const;
    // mockserve's own: `observer` is given a record of every exchange (see
    // exchange.hpp). Set it before start() or serve_forever().
    void set_exchange_observer(ExchangeObserver observer);
    // mockserve's own: connections may speak HTTP/2 as well as HTTP/1.x. Over
    // plain TCP that is h2c, with prior knowledge (the client's preface) or
    // after an "Upgrade: h2c" request (its body included); an HTTPSServer
    // offers h2 by ALPN, ahead of its alpn_protocols. Every handler serves
    // HTTP/2 requests unchanged: one request per stream, request_version
    // "HTTP/2.0", :method/:path/:authority as command, path and Host; streams
    // of one connection are served at the same time (each on a pool
    // thread), at most Limits::max_concurrent_streams of them. Off by
    // default; call before start() or serve_forever().
    void enable_http2(bool on = true);
    bool http2_enabled() const;

protected:
    // `tls`: every connection speaks TLS with it (HTTPSServer); null: plain TCP.
    HTTPServer(Address server_address, HandlerFactory handler, Limits limits, unsigned default_threads,
               std::shared_ptr<const detail::TlsContext> tls = nullptr);

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

// Python's ThreadingHTTPServer: one I/O thread per core by default.
class ThreadingHTTPServer : public HTTPServer {
public:
    ThreadingHTTPServer(Address server_address, HandlerFactory handler, Limits limits = {});
    // Python's attribute; here every thread is the server's own and is
    // always joined by shutdown(), so it changes nothing.
    bool daemon_threads = true;
};

}  // namespace mockserve::http
