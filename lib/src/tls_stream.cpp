#include "tls_stream.hpp"

#include "plain_http_refusal.hpp"
#include "socket_io.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mockserve::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// File bytes go out in pieces of one TLS record's plaintext.
constexpr std::size_t kRecordSize = 16 * 1024;
// How much of a plain HTTP request is read to answer it.
constexpr std::size_t kPlainHeadPeek = 8 * 1024;

boost::system::error_code protocol_error() { return {EPROTO, boost::system::system_category()}; }

std::string subject_of(X509* certificate) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TlsStream::TlsStream(tcp::socket socket, std::optional<tcp::endpoint> peer, std::shared_ptr<const TlsContext> context,
                     Log log)
    : tcp_(std::move(socket), peer),
      fd_(tcp_.fd()),
      context_(std::move(context)),
      ssl_(SSL_new(context_->native())),
      log_(std::move(log)) {
    if (!ssl_) throw std::runtime_error("cannot start TLS: " + take_openssl_error("OpenSSL failed"));
    SSL_set_fd(ssl_.get(), fd_);  // the descriptor stays the socket's to close
    SSL_set_accept_state(ssl_.get());
}

TlsStream::~TlsStream() = default;

// ---------------------------------------------------------------------------
// One try of each operation

TlsStream::Attempt TlsStream::try_handshake() {
    if (!looked_at_first_byte_) {
        // A TLS client's first byte is a handshake record's type; a plain
        // HTTP client's is its method's first letter.
        unsigned char first = 0;
        const auto n = ::recv(fd_, &first, 1, MSG_PEEK);
        if (n == 0) {
            failed_ = true;  // gone before saying anything (a port probe): nothing to log
            return {Want::nothing, net::error::eof};
        }
        if (n < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR) return {Want::read, {}};
            failed_ = true;
            if (log_) log_("TLS handshake failed: the connection was reset");
            return {Want::nothing, {error, boost::system::system_category()}};
        }
        looked_at_first_byte_ = true;
        if (looks_like_plain_http(first)) {
            refuse_plain_http();
            return {Want::nothing, protocol_error()};
        }
    }
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());
    if (result == 1) {
        on_established();
        return {};
    }
    return outcome(result, true);
}

TlsStream::Attempt TlsStream::try_read(net::mutable_buffer buffer, std::size_t& transferred) {
    std::lock_guard lock(ssl_mutex_);
    if (!established_) {
        if (failed_) return {Want::nothing, protocol_error()};
        if (auto attempt = try_handshake(); attempt.want != Want::nothing || attempt.error) return attempt;
    }
    std::size_t n = 0;
    ERR_clear_error();
    const int result = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
    if (result == 1) {
        transferred += n;
        return {};
    }
    return outcome(result, false);
}

TlsStream::Attempt TlsStream::try_write(net::const_buffer buffer, std::size_t& transferred) {
    std::lock_guard lock(ssl_mutex_);
    if (!established_) return {Want::nothing, protocol_error()};
    while (transferred < buffer.size()) {
        std::size_t n = 0;
        ERR_clear_error();
        const int result = SSL_write_ex(ssl_.get(), static_cast<const char*>(buffer.data()) + transferred,
                                        buffer.size() - transferred, &n);
        if (result != 1) return outcome(result, false);
        transferred += n;
    }
    return {};
}

TlsStream::Attempt TlsStream::outcome(int result, bool handshaking) {
    switch (SSL_get_error(ssl_.get(), result)) {
        case SSL_ERROR_WANT_READ:
            return {Want::read, {}};
        case SSL_ERROR_WANT_WRITE:
            return {Want::write, {}};
        case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
            return {Want::nothing, net::error::eof};
        case SSL_ERROR_SYSCALL: {
            const int error = errno;
            failed_ = true;
            if (handshaking && log_) log_("TLS handshake failed: the connection was reset");
            ERR_clear_error();
            return {Want::nothing, {error != 0 ? error : ECONNRESET, boost::system::system_category()}};
        }
        default: {
            failed_ = true;
            auto reason = take_openssl_error("TLS error");
            if (handshaking && log_) {
                if (const long verify = SSL_get_verify_result(ssl_.get()); verify != X509_V_OK)
                    reason += std::string(" (client certificate: ") + X509_verify_cert_error_string(verify) + ")";
                log_("TLS handshake failed: " + reason);
            }
            // The peer closing the connection in the middle of a record, or
            // without close_notify, is its leaving, not a protocol error.
            if (reason == "unexpected eof while reading") return {Want::nothing, net::error::eof};
            return {Want::nothing, protocol_error()};
        }
    }
}

void TlsStream::on_established() {
    established_ = true;
    SSL* ssl = ssl_.get();
    auto facts = std::make_shared<TlsFacts>();
    facts->version = SSL_get_version(ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) facts->cipher = SSL_CIPHER_get_name(cipher);
    if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) facts->sni = name;
    const unsigned char* alpn = nullptr;
    unsigned alpn_size = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
    if (alpn) facts->alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
    if (X509* peer = SSL_get0_peer_certificate(ssl)) facts->client_subject = subject_of(peer);
    facts_ = std::move(facts);
}

void TlsStream::refuse_plain_http() {
    failed_ = true;
    std::string received(kPlainHeadPeek, '\0');
    const auto n = ::recv(fd_, received.data(), received.size(), MSG_DONTWAIT);
    received.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    const auto answer = plain_http_refusal(received);
    // Small enough for an empty socket buffer: sent at once, or not at all.
    [[maybe_unused]] const auto sent = ::send(fd_, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (log_) log_("code 400, message The plain HTTP request was sent to HTTPS port");
}

// ---------------------------------------------------------------------------
// Driving an operation to its end

template <class Step>
void TlsStream::drive(Step step, std::size_t transferred, Completion done, bool after_wait) {
    const Attempt attempt = step(transferred);
    if (attempt.want == Want::nothing) {
        if (after_wait) return done(attempt.error, transferred);
        // Completions never run inside the call that started them.
        return net::post(tcp_.get_executor(),
                         [done = std::move(done), error = attempt.error, transferred] { done(error, transferred); });
    }
    tcp_.socket().async_wait(attempt.want == Want::read ? tcp::socket::wait_read : tcp::socket::wait_write,
                       [this, step = std::move(step), transferred, done = std::move(done)](
                           const boost::system::error_code& ec) mutable {
                           if (ec) return done(ec, transferred);
                           drive(std::move(step), transferred, std::move(done), true);
                       });
}

template <class Step>
boost::system::error_code TlsStream::drive_blocking(Step step, std::chrono::milliseconds timeout) {
    std::size_t transferred = 0;
    while (true) {
        const Attempt attempt = step(transferred);
        if (attempt.error) return attempt.error;
        if (attempt.want == Want::nothing) return {};
        if (const auto ec = wait_ready(fd_, attempt.want == Want::read ? POLLIN : POLLOUT, timeout))
            return {ec.value(), boost::system::generic_category()};
    }
}

// ---------------------------------------------------------------------------
// Asynchronous

void TlsStream::async_read_some(net::mutable_buffer buffer, Completion done) {
    drive([this, buffer](std::size_t& transferred) { return try_read(buffer, transferred); }, 0, std::move(done));
}

void TlsStream::async_read(net::mutable_buffer buffer, Completion done) {
    drive(
        [this, buffer](std::size_t& transferred) {
            while (transferred < buffer.size()) {
                const auto attempt = try_read(buffer + transferred, transferred);
                if (attempt.want != Want::nothing || attempt.error) return attempt;
            }
            return Attempt{};
        },
        0, std::move(done));
}

void TlsStream::async_write(net::const_buffer buffer, Completion done) {
    drive([this, buffer](std::size_t& transferred) { return try_write(buffer, transferred); }, 0, std::move(done));
}

void TlsStream::cancel() { tcp_.cancel(); }

// ---------------------------------------------------------------------------
// Without waiting

std::size_t TlsStream::write_now(std::string_view data, boost::system::error_code& ec) {
    std::size_t sent = 0;
    const auto attempt = try_write(net::buffer(data), sent);
    if (attempt.error) ec = attempt.error;
    return sent;
}

bool TlsStream::has_unread_input() const {
    {
        std::lock_guard lock(ssl_mutex_);
        if (SSL_has_pending(ssl_.get())) return true;
    }
    return tcp_.has_unread_input();
}

// ---------------------------------------------------------------------------
// Blocking

std::error_code TlsStream::write_all(std::string_view data, std::chrono::milliseconds timeout) {
    return drive_blocking([&](std::size_t& transferred) { return try_write(net::buffer(data), transferred); },
                          timeout);  // as a std::error_code
}

std::error_code TlsStream::write_file(std::string_view before, int file, std::uint64_t offset, std::uint64_t count,
                                      std::chrono::milliseconds timeout) {
    if (auto ec = write_all(before, timeout)) return ec;
    // No sendfile(2) under TLS: the bytes are read and encrypted one record
    // at a time, so memory stays flat whatever the file's size.
    std::unique_ptr<char[]> piece(new char[kRecordSize]);
    while (count > 0) {
        const auto n = ::pread(file, piece.get(), static_cast<std::size_t>(std::min<std::uint64_t>(count, kRecordSize)),
                               static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {errno, std::system_category()};
        if (n == 0) return std::make_error_code(std::errc::io_error);  // the file is shorter than it said
        if (auto ec = write_all(std::string_view(piece.get(), static_cast<std::size_t>(n)), timeout)) return ec;
        offset += static_cast<std::uint64_t>(n);
        count -= static_cast<std::uint64_t>(n);
    }
    return {};
}

std::size_t TlsStream::read_some(char* into, std::size_t size, std::chrono::milliseconds timeout,
                                 std::error_code& ec) {
    std::size_t got = 0;
    const auto error = drive_blocking([&](std::size_t&) { return try_read(net::buffer(into, size), got); }, timeout);
    // The end of the stream is 0 bytes and no error.
    ec = error == net::error::eof ? std::error_code() : std::error_code(error);
    return ec ? 0 : got;
}

// ---------------------------------------------------------------------------
// Ending

void TlsStream::shutdown_send() {
    send_close_notify();
    tcp_.shutdown_send();
}

void TlsStream::close(bool reset) {
    if (!reset) send_close_notify();
    tcp_.close(reset);
}

void TlsStream::send_close_notify() {
    std::lock_guard lock(ssl_mutex_);
    if (!established_ || failed_ || sent_close_notify_) return;
    sent_close_notify_ = true;
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // close_notify, if the socket takes it now
    ERR_clear_error();
}

}  // namespace mockserve::http::detail
