#pragma once
// HTTPServer::Impl: what the server shares with its connections.

#include "io_pool.hpp"
#include "listener.hpp"
#include "session_host.hpp"
#include "stream.hpp"
#include "tls_context.hpp"

#include <mockserve/exchange.hpp>
#include <mockserve/http_server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace mockserve::http {

// The server's state, shared with its sessions (as their SessionHost).
class HTTPServer::Impl final : public std::enable_shared_from_this<Impl>, public detail::SessionHost {
public:
    Impl(HTTPServer& owner, const Address& address, HandlerFactory factory, Limits limits, unsigned threads,
         std::shared_ptr<const detail::TlsContext> tls);

    HTTPServer& owner;
    const Limits limits;
    const HandlerFactory factory;
    const unsigned threads;
    const std::shared_ptr<const detail::TlsContext> tls;  // null: plain TCP
    boost::asio::io_context context;
    detail::Listener listener;
    detail::IoPool io_pool;
    ExchangeObserver exchange_observer;  // set before serving; empty: no exchange records are made
    std::atomic<bool> http2_enabled{false};

    bool logging() const { return logging_.load(std::memory_order_relaxed); }
    bool idle() const;
    void set_log_sink(LogSink sink);

    // `peer`: the client's address, when accept(2) gave it.
    void start_connection(boost::asio::ip::tcp::socket socket, std::optional<boost::asio::ip::tcp::endpoint> peer,
                          std::function<void()> on_closed = {});
    std::unique_ptr<detail::Stream> make_stream(boost::asio::ip::tcp::socket socket,
                                                std::optional<boost::asio::ip::tcp::endpoint> peer);
    std::size_t connection_count() const;

    // SessionHost
    const Limits& session_limits() const override { return limits; }
    HTTPServer& server() override { return owner; }
    std::unique_ptr<BaseHTTPRequestHandler> make_handler() override { return factory(); }
    const ExchangeObserver& observer() const override { return exchange_observer; }
    detail::IoPool& pool() override { return io_pool; }
    bool http2() const override { return http2_enabled.load(std::memory_order_relaxed); }
    bool stopping() const override { return stopping_.load(std::memory_order_relaxed); }
    void log(std::string_view line) const override;
    void session_closed(detail::Session* session) override;

    void start(bool include_caller);
    void serve_here();
    void shutdown();
    void close_listener();

private:
    enum class State { idle, serving, stopping, stopped };
    void begin_shutdown();  // on the io_context

    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    State state_ = State::idle;
    bool listener_closed_ = false;
    // Shutdown steps and the grace timer run on this strand.
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::steady_timer grace_timer_;

    mutable std::mutex sessions_mutex_;
    std::unordered_map<detail::Session*, std::weak_ptr<detail::Session>> sessions_;
    std::unordered_map<detail::Session*, std::function<void()>> close_callbacks_;

    std::atomic<bool> logging_{true};
    mutable std::mutex log_mutex_;
    std::shared_ptr<const LogSink> log_sink_;
};

}  // namespace mockserve::http
