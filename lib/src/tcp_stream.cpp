#include "tcp_stream.hpp"

#include "socket_io.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <sys/socket.h>

namespace mockserve::http::detail {

namespace net = boost::asio;

TcpStream::TcpStream(net::ip::tcp::socket socket, std::optional<net::ip::tcp::endpoint> peer)
    : socket_(std::move(socket)), peer_(peer), fd_(socket_.native_handle()) {
    boost::system::error_code ignored;
    socket_.set_option(net::ip::tcp::no_delay(true), ignored);
    // Handler threads read and write this socket with poll() and deadlines;
    // Asio's own operations work the same on a non-blocking socket.
    socket_.native_non_blocking(true, ignored);
}

net::ip::tcp::endpoint TcpStream::remote_endpoint(boost::system::error_code& ec) const {
    if (peer_) return *peer_;
    return socket_.remote_endpoint(ec);
}

void TcpStream::async_read_some(net::mutable_buffer buffer, Completion done) {
    socket_.async_receive_draining(buffer, std::move(done));
}

void TcpStream::async_read(net::mutable_buffer buffer, Completion done) {
    net::async_read(socket_, buffer, std::move(done));
}

void TcpStream::async_write(net::const_buffer buffer, Completion done) {
    net::async_write(socket_, buffer, std::move(done));
}

void TcpStream::cancel() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
}

std::size_t TcpStream::write_now(std::string_view data, boost::system::error_code& ec) {
    const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        ec = boost::system::error_code(errno, boost::system::system_category());
    return 0;
}

bool TcpStream::has_unread_input() const {
    boost::system::error_code ignored;
    return socket_.available(ignored) > 0;
}

std::error_code TcpStream::write_all(std::string_view data, std::chrono::milliseconds timeout) {
    return send_all(fd_, data, timeout);
}

std::error_code TcpStream::write_file(std::string_view before, int file, std::uint64_t offset, std::uint64_t count,
                                      std::chrono::milliseconds timeout) {
    // MSG_MORE holds `before` back until sendfile(2) adds the file's first
    // bytes to it; sendfile's last page goes without it, so nothing waits.
    if (auto ec = send_all(fd_, before, timeout, count > 0 ? MSG_MORE : 0)) return ec;
    return send_file(fd_, file, offset, count, timeout);
}

std::size_t TcpStream::read_some(char* into, std::size_t size, std::chrono::milliseconds timeout,
                                 std::error_code& ec) {
    return receive_some(fd_, into, size, timeout, ec);
}

void TcpStream::shutdown_send() {
    boost::system::error_code ignored;
    socket_.shutdown(net::ip::tcp::socket::shutdown_send, ignored);
}

void TcpStream::close(bool reset) {
    {
        std::lock_guard lock(interrupt_mutex_);
        open_ = false;
    }
    boost::system::error_code ignored;
    if (reset) {
        socket_.set_option(net::socket_base::linger(true, 0), ignored);  // close() then sends RST
    } else {
        socket_.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    }
    socket_.close(ignored);
}

void TcpStream::interrupt() {
    // The descriptor may be reused once closed: only an open one is touched.
    std::lock_guard lock(interrupt_mutex_);
    if (open_) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace mockserve::http::detail
