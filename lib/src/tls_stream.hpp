#pragma once
// TlsStream: a Stream over TLS, layered on the connection's TcpStream and
// using its socket's own descriptor.
//
// OpenSSL reads and writes the non-blocking socket itself (a socket BIO),
// and the stream waits for readiness the same two ways TcpStream does:
// asynchronously with Asio's async_wait on the connection's strand, and with
// poll() and a deadline on a handler's thread. Asio's ssl::stream would need
// its memory BIOs drained by Asio operations, which a handler thread
// blocked on a deadline cannot do, and copies every byte once more.
//
// The handshake happens inside the first read, so it counts against the
// deadline of the first request. Before it, the first byte is looked at: a
// client speaking plain HTTP is answered 400 in plain HTTP
// (plain_http_refusal.hpp). A handshake that fails is logged once, through
// `log`, with OpenSSL's reason.
//
// One SSL object serves the strand's asynchronous steps and a handler's
// blocking calls; a mutex keeps their OpenSSL calls apart (the session never
// runs both at once, the mutex makes sure of it).

#include "openssl_handles.hpp"
#include "stream.hpp"
#include "tcp_stream.hpp"
#include "tls_context.hpp"

#include <mockserve/tls_facts.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <mutex>

namespace mockserve::http::detail {

class TlsStream final : public Stream {
public:
    using Log = std::function<void(std::string_view message)>;

    // `peer`: the client's address, when accept(2) gave it.
    TlsStream(boost::asio::ip::tcp::socket socket, std::optional<boost::asio::ip::tcp::endpoint> peer,
              std::shared_ptr<const TlsContext> context, Log log);
    ~TlsStream() override;

    boost::asio::any_io_executor get_executor() override { return tcp_.get_executor(); }
    boost::asio::ip::tcp::endpoint remote_endpoint(boost::system::error_code& ec) const override {
        return tcp_.remote_endpoint(ec);
    }

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
    int wait_handle() const override { return tcp_.fd(); }

    void shutdown_send() override;
    void close(bool reset) override;
    void interrupt() override { tcp_.interrupt(); }

    std::shared_ptr<const TlsFacts> tls() const override { return facts_; }

private:
    enum class Want { nothing, read, write };
    // One try of an operation: done (with `error`), or waiting for the socket.
    struct Attempt {
        Want want = Want::nothing;
        boost::system::error_code error;
    };

    // Each under the mutex; `transferred` grows by what moved.
    Attempt try_handshake();
    Attempt try_read(boost::asio::mutable_buffer buffer, std::size_t& transferred);
    Attempt try_write(boost::asio::const_buffer buffer, std::size_t& transferred);
    // What an OpenSSL call's result means for its caller.
    Attempt outcome(int result, bool handshaking);
    void on_established();
    void refuse_plain_http();
    void send_close_notify();

    // Tries `step` (returning an Attempt and counting into `transferred`)
    // until it is done, waiting for the socket asynchronously in between.
    // `after_wait`: called from a completed wait, so `done` may run at once.
    template <class Step>
    void drive(Step step, std::size_t transferred, Completion done, bool after_wait = false);
    // The same, blocking, each wait bounded by `timeout`.
    template <class Step>
    boost::system::error_code drive_blocking(Step step, std::chrono::milliseconds timeout);

    TcpStream tcp_;  // the connection under TLS: its socket, closing, interrupting
    const int fd_;
    const std::shared_ptr<const TlsContext> context_;
    SslPtr ssl_;
    Log log_;
    std::shared_ptr<const TlsFacts> facts_;  // once established
    mutable std::mutex ssl_mutex_;  // OpenSSL calls on ssl_
    bool looked_at_first_byte_ = false;
    bool established_ = false;
    bool failed_ = false;          // the handshake failed, or the peer broke TLS: no close_notify
    bool sent_close_notify_ = false;
};

}  // namespace mockserve::http::detail
