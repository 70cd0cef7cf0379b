#pragma once
// Listener: the listening socket and its accept loop.
//
// When the process runs out of descriptors (EMFILE, ENFILE) or the kernel of
// buffers, accept fails at once and keeps failing: retrying at once would
// spin. The loop pauses instead, doubling the pause up to
// Limits::max_accept_backoff, and retries at once when a connection closes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

namespace mockserve::http::detail {

class Listener {
public:
    // A new connection's socket and its peer's address (from accept(2)
    // itself, which saves the connection a getpeername(2)).
    using OnSocket = std::function<void(boost::asio::ip::tcp::socket, const boost::asio::ip::tcp::endpoint&)>;
    using Log = std::function<void(std::string_view)>;
    // The io_context a new connection's socket belongs to (the I/O pool's
    // lane that will serve it).
    using ChooseContext = std::function<boost::asio::io_context&()>;

    // Binds and listens; throws boost::system::system_error on failure.
    Listener(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
             std::chrono::milliseconds max_backoff, Log log);

    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    // Accepts until close(), handing each socket, made on the context that
    // `choose` names, to `on_socket`.
    void start(OnSocket on_socket, ChooseContext choose);
    // Accepts one connection; `on_socket` gets it, or an error on close/timeout.
    void accept_one(std::function<void(boost::system::error_code, boost::asio::ip::tcp::socket)> handler);
    // Closes the listening socket, through the io_context (while it runs),
    // then calls `closed` there: no connection is accepted after it.
    void close(std::function<void()> closed = {});
    // Closes it at once; only while no thread runs the io_context.
    void close_unsynchronized();
    // Stops a pending accept_one().
    void cancel();
    // A connection closed: a descriptor is free, so a paused accept retries
    // now. From any thread; costs nothing unless the loop is paused.
    void on_connection_closed();

private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& context_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_timer_;
    const std::chrono::milliseconds max_backoff_;
    std::chrono::milliseconds backoff_{0};
    Log log_;
    OnSocket on_socket_;
    ChooseContext choose_;
    boost::asio::ip::tcp::endpoint peer_;  // of the connection being accepted (one at a time)
    // Set and cleared on the strand; read by on_connection_closed() from any
    // thread, so that a closing connection wakes this lane only when an
    // accept waits for a descriptor. A close that misses the moment the loop
    // pauses leaves the retry to the backoff timer, which fires anyway.
    std::atomic<bool> paused_{false};
};

}  // namespace mockserve::http::detail
