#pragma once
// HTTPServer::Impl: what the server shares with its connections.

#include "io_pool.hpp"
#include "listener.hpp"

#include <mockserve/exchange.hpp>
#include <mockserve/http_server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace mockserve::http {

namespace detail {
class Connection;
}

class HTTPServer::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(HTTPServer& owner, const Address& address, HandlerFactory factory, Limits limits, unsigned threads);

    HTTPServer& owner;
    const Limits limits;
    const HandlerFactory factory;
    const unsigned threads;
    boost::asio::io_context context;
    detail::Listener listener;
    detail::IoPool pool;
    ExchangeObserver observer;  // set before serving; empty: no exchange records are made

    bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
    void log(std::string_view line) const;
    bool logging() const { return logging_.load(std::memory_order_relaxed); }
    bool idle() const;
    void set_log_sink(LogSink sink);

    void start_connection(boost::asio::ip::tcp::socket socket, std::function<void()> on_closed = {});
    void connection_closed(detail::Connection* connection);
    std::size_t connection_count() const;

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
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    // Shutdown steps and the grace timer run on this strand.
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::steady_timer grace_timer_;

    mutable std::mutex connections_mutex_;
    std::unordered_map<detail::Connection*, std::weak_ptr<detail::Connection>> connections_;
    std::unordered_map<detail::Connection*, std::function<void()>> close_callbacks_;

    std::atomic<bool> logging_{true};
    mutable std::mutex log_mutex_;
    std::shared_ptr<const LogSink> log_sink_;
};

}  // namespace mockserve::http
