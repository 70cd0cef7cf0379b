#pragma once
// UpstreamConnection: one connection from a proxy route to its upstream,
// plain or TLS, used by one handler thread at a time, blocking with a
// deadline. The socket is non-blocking and every wait is a poll() bounded
// by the caller's deadline, so an upstream that stalls costs a timeout,
// never a hung thread. TLS is OpenSSL's, on the socket itself, as the
// server side does it (lib/src/tls_stream.hpp).

#include "openssl_client.hpp"
#include "upstream_url.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

// Why an exchange with the upstream failed, in words for the 502 or 504.
struct UpstreamError : std::runtime_error {
    UpstreamError(const std::string& reason, bool timed_out) : std::runtime_error(reason), timed_out(timed_out) {}
    bool timed_out;
};

class UpstreamConnection {
public:
    using Clock = std::chrono::steady_clock;

    // Connects (each address the name gives, in turn) and, for https, makes
    // the TLS handshake with `tls` (its verification settings). Throws
    // UpstreamError.
    static std::unique_ptr<UpstreamConnection> open(const UpstreamUrl& url, const ClientTls* tls, Clock::time_point deadline);
    ~UpstreamConnection();
    UpstreamConnection(const UpstreamConnection&) = delete;
    UpstreamConnection& operator=(const UpstreamConnection&) = delete;

    void write_all(std::string_view data, Clock::time_point deadline);
    // At least one byte, at most `size`; 0 at the end of the stream. Throws UpstreamError.
    std::size_t read_some(char* into, std::size_t size, Clock::time_point deadline);
    // Whether a connection that sat idle can carry another request: the
    // upstream has neither closed it nor sent anything unasked.
    bool still_open() const;

private:
    explicit UpstreamConnection(int fd) : fd_(fd) {}
    void handshake(const UpstreamUrl& url, const ClientTls& tls, Clock::time_point deadline);
    // Waits for `events` on the socket until `deadline`; throws on the deadline.
    void wait(short events, Clock::time_point deadline, const char* doing) const;

    int fd_ = -1;
    SslHandle ssl_;
};

}  // namespace mockserve::scenario::detail
