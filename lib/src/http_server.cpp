#include <mockserve/http_server.hpp>

#include "server_impl.hpp"
#include "session.hpp"
#include "log_format.hpp"
#include "tcp_stream.hpp"
#include "tls_stream.hpp"

#include <mockserve/base_http_request_handler.hpp>

#include <boost/asio/post.hpp>

#include <csignal>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace mockserve::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

tcp::endpoint resolve_bind_address(const Address& address) {
    // Python binds '' to every address; so does this.
    if (address.host.empty()) return {tcp::v4(), address.port};
    boost::system::error_code ec;
    const auto ip = net::ip::make_address(address.host == "localhost" ? "127.0.0.1" : address.host, ec);
    if (ec) throw std::invalid_argument("not an IP address: " + address.host);
    return {ip, address.port};
}

// Python's socket.getfqdn() without its DNS lookup (which can stall for
// seconds on a machine with no resolver): loopback is "localhost", the
// unspecified address this host's name, anything else the address itself.
std::string server_name_for(const tcp::endpoint& endpoint) {
    const auto ip = endpoint.address();
    if (ip.is_loopback()) return "localhost";
    if (ip.is_unspecified()) {
        char name[256] = {};
        if (::gethostname(name, sizeof name - 1) == 0) return name;
    }
    return ip.to_string();
}

unsigned hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

LogSink stderr_sink() {
    auto mutex = std::make_shared<std::mutex>();
    return [mutex](std::string_view line) {
        std::lock_guard lock(*mutex);
        std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
        std::cerr.put('\n');
        std::cerr.flush();
    };
}

}  // namespace

// ---------------------------------------------------------------------------
// Impl

HTTPServer::Impl::Impl(HTTPServer& owner, const Address& address, HandlerFactory factory, Limits limits,
                       unsigned threads, std::shared_ptr<const detail::TlsContext> tls)
    : owner(owner),
      limits(limits),
      factory(std::move(factory)),
      threads(threads),
      tls(std::move(tls)),
      listener(context, resolve_bind_address(address), limits.max_accept_backoff,
               [this](std::string_view line) { log(line); }),
      io_pool(context, threads, limits.max_threads, limits.blocked_handler_after),
      strand_(net::make_strand(context)),
      grace_timer_(strand_),
      log_sink_(std::make_shared<const LogSink>(stderr_sink())) {}

void HTTPServer::Impl::log(std::string_view line) const {
    std::shared_ptr<const LogSink> sink;
    {
        std::lock_guard lock(log_mutex_);
        sink = log_sink_;
    }
    if (*sink) (*sink)(line);
}

void HTTPServer::Impl::set_log_sink(LogSink sink) {
    std::lock_guard lock(log_mutex_);
    logging_.store(static_cast<bool>(sink));
    log_sink_ = std::make_shared<const LogSink>(std::move(sink));
}

std::unique_ptr<detail::Stream> HTTPServer::Impl::make_stream(tcp::socket socket, std::optional<tcp::endpoint> peer) {
    // Where a transport is chosen: plain TCP, or TLS for an HTTPSServer.
    if (!tls) return std::make_unique<detail::TcpStream>(std::move(socket), peer);
    boost::system::error_code ec;
    const auto remote = peer ? *peer : socket.remote_endpoint(ec);
    auto client = ec ? std::string("-") : remote.address().to_string();
    // The stream logs a failed handshake as a handler logs an error.
    auto log = [this, client = std::move(client)](std::string_view message) {
        if (!logging()) return;
        this->log(client + " - - [" + format_log_date(std::chrono::system_clock::now()) + "] " +
                  detail::escape_control_characters(message));
    };
    return std::make_unique<detail::TlsStream>(std::move(socket), peer, tls, std::move(log));
}

void HTTPServer::Impl::start_connection(tcp::socket socket, std::optional<tcp::endpoint> peer,
                                        std::function<void()> on_closed) {
    auto session = std::make_shared<detail::Session>(shared_from_this(), make_stream(std::move(socket), peer));
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_.emplace(session.get(), session);
        if (on_closed) close_callbacks_.emplace(session.get(), std::move(on_closed));
    }
    session->start();
}

void HTTPServer::Impl::session_closed(detail::Session* session) {
    std::function<void()> on_closed;
    bool last = false;
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_.erase(session);
        if (auto it = close_callbacks_.find(session); it != close_callbacks_.end()) {
            on_closed = std::move(it->second);
            close_callbacks_.erase(it);
        }
        last = sessions_.empty();
    }
    listener.on_connection_closed();
    // A weak reference: the connection may be another lane's, and lane 0 may
    // have run out of work and ended, leaving this in its queue, where a
    // strong one would keep the server (which owns that queue) alive.
    if (last && stopping())
        net::post(strand_, [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->grace_timer_.cancel();
        });
    if (on_closed) on_closed();
}

bool HTTPServer::Impl::idle() const {
    std::lock_guard lock(mutex_);
    return state_ == State::idle;
}

std::size_t HTTPServer::Impl::connection_count() const {
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
}

void HTTPServer::Impl::start(bool include_caller) {
    std::lock_guard lock(mutex_);
    if (state_ != State::idle) return;
    state_ = State::serving;
    listener.start([this](tcp::socket socket, const tcp::endpoint& peer) { start_connection(std::move(socket), peer); },
                   [this]() -> net::io_context& { return io_pool.next_lane(); });
    io_pool.start(include_caller);
}

void HTTPServer::Impl::serve_here() {
    io_pool.run_here();
    // The io_context ran out of work: the server has stopped.
    io_pool.join();
    std::lock_guard lock(mutex_);
    state_ = State::stopped;
}

void HTTPServer::Impl::begin_shutdown() {
    stopping_.store(true);
    // The lanes may end once they run out of work, but not before the
    // listener is closed: a connection accepted into a lane that has ended
    // would never be served.
    listener.close([self = shared_from_this()] { self->io_pool.release_work(); });
    std::vector<std::shared_ptr<detail::Session>> open;
    {
        std::lock_guard lock(sessions_mutex_);
        for (auto& [_, weak] : sessions_)
            if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    if (open.empty()) return;
    for (auto& c : open) c->on_server_shutdown();
    // Busy connections get Limits::shutdown_timeout to finish, then are cut.
    grace_timer_.expires_after(limits.shutdown_timeout);
    grace_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return;
        std::lock_guard lock(self->sessions_mutex_);
        for (auto& [_, weak] : self->sessions_)
            if (auto c = weak.lock()) c->abort();
    });
}

void HTTPServer::Impl::shutdown() {
    {
        std::lock_guard lock(mutex_);
        switch (state_) {
            case State::idle:  // never served: only the socket to close
                state_ = State::stopped;
                listener_closed_ = true;
                listener.close_unsynchronized();
                return;
            case State::serving:
                state_ = State::stopping;
                net::post(strand_, [self = shared_from_this()] { self->begin_shutdown(); });
                break;
            case State::stopping:  // another thread is stopping it: wait as well
                break;
            case State::stopped:
                return;
        }
    }
    if (io_pool.on_pool_thread()) return;  // a handler cannot wait for its own thread
    io_pool.join();
    std::lock_guard lock(mutex_);
    state_ = State::stopped;
}

void HTTPServer::Impl::close_listener() {
    std::lock_guard lock(mutex_);
    if (listener_closed_) return;
    listener_closed_ = true;
    if (state_ == State::serving) {
        listener.close();
    } else if (state_ != State::stopping) {
        listener.close_unsynchronized();
    }
}

// ---------------------------------------------------------------------------
// HTTPServer

HTTPServer::HTTPServer(Address server_address, HandlerFactory handler, Limits limits)
    : HTTPServer(std::move(server_address), std::move(handler), limits, 1) {}

HTTPServer::HTTPServer(Address address, HandlerFactory handler, Limits limits, unsigned default_threads,
                       std::shared_ptr<const detail::TlsContext> tls) {
    if (!handler) throw std::invalid_argument("HTTPServer needs a handler factory");
    // A client that closes while sendfile(2) writes to it would otherwise
    // kill the process with SIGPIPE; send(2) is told not to raise it.
    if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR) throw std::runtime_error("cannot ignore SIGPIPE");
    const unsigned threads = limits.threads != 0 ? limits.threads : default_threads;
    impl_ = std::make_shared<Impl>(*this, address, std::move(handler), limits, threads, std::move(tls));
    const auto endpoint = impl_->listener.local_endpoint();
    server_address = Address{endpoint.address().to_string(), endpoint.port()};
    server_port = endpoint.port();
    server_name = server_name_for(endpoint);
}

HTTPServer::~HTTPServer() {
    shutdown();
    server_close();
}

void HTTPServer::serve_forever() {
    impl_->start(true);
    impl_->serve_here();
}

void HTTPServer::start() { impl_->start(false); }

void HTTPServer::shutdown() { impl_->shutdown(); }

bool HTTPServer::handle_request() {
    auto& impl = *impl_;
    if (!impl.idle()) throw std::logic_error("handle_request() on a server that is serving or has stopped");
    impl.context.restart();
    bool accepted = false;
    bool timed_out = false;
    net::steady_timer timer(impl.context);
    impl.listener.accept_one([&](boost::system::error_code ec, tcp::socket socket) {
        timer.cancel();
        if (ec) return;
        accepted = true;
        impl.start_connection(std::move(socket), std::nullopt);
    });
    if (timeout) {
        timer.expires_after(*timeout);
        timer.async_wait([&](boost::system::error_code ec) {
            if (ec || accepted) return;
            timed_out = true;
            impl.listener.cancel();
        });
    }
    impl.context.run();  // until the one connection has been served
    if (timed_out) {
        handle_timeout();
        return false;
    }
    return accepted;
}

void HTTPServer::server_close() { impl_->close_listener(); }

std::string HTTPServer::url() const {
    const bool v6 = server_address.host.find(':') != std::string::npos;
    return (impl_->tls ? "https://" : "http://") + (v6 ? "[" + server_address.host + "]" : server_address.host) + ":" + std::to_string(server_port);
}

const Limits& HTTPServer::limits() const { return impl_->limits; }

void HTTPServer::set_log_sink(LogSink sink) { impl_->set_log_sink(std::move(sink)); }

void HTTPServer::quiet() { impl_->set_log_sink(nullptr); }

void HTTPServer::log(std::string_view line) const { impl_->log(line); }

bool HTTPServer::logging() const { return impl_->logging(); }

std::size_t HTTPServer::connection_count() const { return impl_->connection_count(); }

void HTTPServer::set_exchange_observer(ExchangeObserver observer) { impl_->exchange_observer = std::move(observer); }

void HTTPServer::enable_http2(bool on) {
    impl_->http2_enabled.store(on, std::memory_order_relaxed);
    if (impl_->tls) impl_->tls->offer_h2(on);
}

bool HTTPServer::http2_enabled() const { return impl_->http2_enabled.load(std::memory_order_relaxed); }

ThreadingHTTPServer::ThreadingHTTPServer(Address server_address, HandlerFactory handler, Limits limits)
    : HTTPServer(std::move(server_address), std::move(handler), limits, hardware_threads()) {}

}  // namespace mockserve::http
