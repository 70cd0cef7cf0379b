#include "listener.hpp"

#include "session_strand.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>

namespace mockserve::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool out_of_resources(const boost::system::error_code& ec) {
    const int value = ec.value();
    return ec.category() == boost::system::system_category() &&
           (value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM);
}

}  // namespace

Listener::Listener(net::io_context& context, const tcp::endpoint& endpoint, std::chrono::milliseconds max_backoff,
                   Log log)
    : context_(context),
      strand_(net::make_strand(context)),
      acceptor_(strand_),
      backoff_timer_(strand_),
      max_backoff_(max_backoff),
      log_(std::move(log)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));  // as Python's HTTPServer.allow_reuse_address
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::start(OnSocket on_socket, ChooseContext choose) {
    on_socket_ = std::move(on_socket);
    choose_ = std::move(choose);
    net::post(strand_, [this] { do_accept(); });
}

void Listener::accept_one(std::function<void(boost::system::error_code, tcp::socket)> handler) {
    acceptor_.async_accept(make_session_strand(context_), std::move(handler));
}

void Listener::do_accept() {
    if (!acceptor_.is_open()) return;
    // Each connection gets its own strand, on the lane it is given: its
    // handlers never run at once, and stay with that lane's threads.
    acceptor_.async_accept(make_session_strand(choose_()), peer_,
                           [this](boost::system::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (out_of_resources(ec)) {
        if (backoff_.count() == 0) log_("accept: " + ec.message() + "; pausing until connections close");
        backoff_ = std::min(max_backoff_, std::max(std::chrono::milliseconds(5), backoff_ * 2));
        paused_ = true;
        backoff_timer_.expires_after(backoff_);
        backoff_timer_.async_wait([this](boost::system::error_code) {
            paused_ = false;
            do_accept();
        });
        return;
    }
    backoff_ = std::chrono::milliseconds(0);
    if (!ec) on_socket_(std::move(socket), peer_);
    do_accept();
}

void Listener::close(std::function<void()> closed) {
    net::post(strand_, [this, closed = std::move(closed)] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        backoff_timer_.cancel();
        if (closed) closed();
    });
}

void Listener::close_unsynchronized() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

void Listener::cancel() {
    net::post(strand_, [this] {
        boost::system::error_code ignored;
        acceptor_.cancel(ignored);
    });
}

void Listener::on_connection_closed() {
    if (!paused_.load()) return;
    net::post(strand_, [this] {
        if (paused_) backoff_timer_.cancel();  // its handler accepts at once
    });
}

}  // namespace mockserve::http::detail
