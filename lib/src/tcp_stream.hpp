#pragma once
// TcpStream: a Stream over a plain TCP socket. Its fast paths are the
// kernel's: one send() for a small response, sendfile(2) for files, and
// poll()-bounded blocking calls on the socket that Asio shares in
// non-blocking mode.

#include "draining_socket.hpp"
#include "stream.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <mutex>
#include <optional>

namespace mockserve::http::detail {

class TcpStream final : public Stream {
public:
    // Takes an accepted socket and, when accept(2) gave it, the peer's
    // address; turns Nagle's delay off.
    explicit TcpStream(boost::asio::ip::tcp::socket socket,
                       std::optional<boost::asio::ip::tcp::endpoint> peer = std::nullopt);

    boost::asio::any_io_executor get_executor() override { return socket_.get_executor(); }
    boost::asio::ip::tcp::endpoint remote_endpoint(boost::system::error_code& ec) const override;

    void async_read_some(boost::asio::mutable_buffer buffer, Completion done) override;
    void async_read(boost::asio::mutable_buffer buffer, Completion done) override;
    void async_write(boost::asio::const_buffer buffer, Completion done) override;
    void cancel() override;

    std::size_t write_now(std::string_view data, boost::system::error_code& ec) override;
    bool has_unread_input() const override;

    std::error_code write_all(std::string_view data, std::chrono::milliseconds timeout) override;
    std::error_code write_file(std::string_view before, int file, std::uint64_t offset, std::uint64_t count,
                               std::chrono::milliseconds timeout) override;
    std::size_t read_some(char* into, std::size_t size, std::chrono::milliseconds timeout,
                          std::error_code& ec) override;
    int wait_handle() const override { return fd_; }

    void shutdown_send() override;
    void close(bool reset) override;
    void interrupt() override;

    // For a stream layered on this one (TlsStream): the socket, to wait for
    // readiness on, and its descriptor.
    boost::asio::ip::tcp::socket& socket() { return socket_; }
    int fd() const { return fd_; }

private:
    DrainingSocket socket_;
    const std::optional<boost::asio::ip::tcp::endpoint> peer_;  // asked of the socket when not given
    const int fd_;  // the socket's descriptor, for the blocking calls
    std::mutex interrupt_mutex_;  // interrupt() against close()
    bool open_ = true;
};

}  // namespace mockserve::http::detail
