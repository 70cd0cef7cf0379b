#include "upstream_connection.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mockserve::scenario::detail {

namespace {

using Clock = UpstreamConnection::Clock;

int milliseconds_until(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : left > 60'000 ? 60'000 : static_cast<int>(left);
}

std::string errno_text(int error) {
    if (error == ECONNREFUSED) return "connection refused";
    if (error == ECONNRESET) return "connection reset by the upstream";
    if (error == EPIPE) return "the upstream closed the connection";
    return std::strerror(error);
}

bool is_ip_address(const std::string& host) {
    unsigned char address[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

}  // namespace

void UpstreamConnection::wait(short events, Clock::time_point deadline, const char* doing) const {
    while (true) {
        pollfd p{fd_, events, 0};
        const int ready = ::poll(&p, 1, milliseconds_until(deadline));
        if (ready > 0) return;  // an error or a hang-up shows in the call that follows
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw UpstreamError(std::string("poll failed ") + doing + ": " + std::strerror(errno), false);
        if (Clock::now() >= deadline) throw UpstreamError(std::string("timed out ") + doing, true);
    }
}

std::unique_ptr<UpstreamConnection> UpstreamConnection::open(const UpstreamUrl& url, const ClientTls* tls,
                                                             Clock::time_point deadline) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const auto port = std::to_string(url.port);
    if (const int error = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); error != 0)
        throw UpstreamError("cannot resolve " + url.host + ": " + ::gai_strerror(error), false);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
    std::string last_error = "no address";
    bool timed_out = false;
    for (const addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        std::unique_ptr<UpstreamConnection> connection(new UpstreamConnection(fd));
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // request heads and small bodies leave at once
        int error = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        if (error == EINPROGRESS) {
            try {
                connection->wait(POLLOUT, deadline, "connecting");
            } catch (const UpstreamError& e) {
                last_error = e.what();
                timed_out = e.timed_out;
                continue;
            }
            socklen_t length = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        }
        if (error != 0) {
            last_error = errno_text(error);
            continue;
        }
        if (tls) connection->handshake(url, *tls, deadline);
        return connection;
    }
    throw UpstreamError(last_error, timed_out);
}

void UpstreamConnection::handshake(const UpstreamUrl& url, const ClientTls& tls, Clock::time_point deadline) {
    ssl_.reset(SSL_new(tls.context()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), fd_) != 1) throw UpstreamError("cannot begin TLS: " + openssl_error_text(), false);
    const bool address = is_ip_address(url.host);
    // SNI for a name (never for an address, RFC 6066), and the name or address the certificate must show.
    if (!address) SSL_set_tlsext_host_name(ssl_.get(), url.host.c_str());
    if (tls.verifies()) {
        auto* param = SSL_get0_param(ssl_.get());
        if (address) {
            X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            SSL_set1_host(ssl_.get(), url.host.c_str());
        }
    }
    while (true) {
        ERR_clear_error();
        const int result = SSL_connect(ssl_.get());
        if (result == 1) return;
        const int error = SSL_get_error(ssl_.get(), result);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "in the TLS handshake");
            continue;
        }
        const long verified = SSL_get_verify_result(ssl_.get());
        if (verified != X509_V_OK)
            throw UpstreamError(std::string("the upstream's certificate was refused: ") + X509_verify_cert_error_string(verified),
                                false);
        const auto why = openssl_error_text();
        throw UpstreamError("TLS handshake failed: " + (why.empty() ? errno_text(errno) : why), false);
    }
}

UpstreamConnection::~UpstreamConnection() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
}

void UpstreamConnection::write_all(std::string_view data, Clock::time_point deadline) {
    while (!data.empty()) {
        if (ssl_) {
            ERR_clear_error();
            std::size_t written = 0;
            const int result = SSL_write_ex(ssl_.get(), data.data(), data.size(), &written);
            if (result == 1) {
                data.remove_prefix(written);
                continue;
            }
            const int error = SSL_get_error(ssl_.get(), result);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "sending the request");
                continue;
            }
            const auto why = openssl_error_text();
            throw UpstreamError(why.empty() ? errno_text(errno ? errno : EPIPE) : "TLS: " + why, false);
        }
        const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent >= 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait(POLLOUT, deadline, "sending the request");
        } else if (errno != EINTR) {
            throw UpstreamError(errno_text(errno), false);
        }
    }
}

std::size_t UpstreamConnection::read_some(char* into, std::size_t size, Clock::time_point deadline) {
    while (true) {
        if (ssl_) {
            ERR_clear_error();
            std::size_t read = 0;
            const int result = SSL_read_ex(ssl_.get(), into, size, &read);
            if (result == 1) return read;
            const int error = SSL_get_error(ssl_.get(), result);
            if (error == SSL_ERROR_ZERO_RETURN) return 0;
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, "waiting for the response");
                continue;
            }
            if (error == SSL_ERROR_SYSCALL && errno == 0) return 0;
            const auto why = openssl_error_text();
            throw UpstreamError(why.empty() ? errno_text(errno) : "TLS: " + why, false);
        }
        const auto got = ::recv(fd_, into, size, 0);
        if (got >= 0) return static_cast<std::size_t>(got);
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait(POLLIN, deadline, "waiting for the response");
        } else if (errno != EINTR) {
            throw UpstreamError(errno_text(errno), false);
        }
    }
}

bool UpstreamConnection::still_open() const {
    // Readable while idle means closed (or bytes nobody asked for): either way, not reusable.
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0 && (!ssl_ || SSL_pending(ssl_.get()) == 0);
}

}  // namespace mockserve::scenario::detail
