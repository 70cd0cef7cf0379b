#pragma once
// TlsClient: a test's TLS client over a real socket to 127.0.0.1, on
// OpenSSL directly, so that a test chooses exactly what a client offers
// (versions, ALPN, SNI, a client certificate) and sees what it agreed.
// Every wait is bounded (socket timeouts), so a server bug fails a test
// instead of hanging it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::test_support {

struct TlsClientOptions {
    std::string trusted_ca_pem;  // verify the server against it; empty: no verification
    std::string verify_host = "localhost";  // the name the certificate must carry (when verifying)
    std::string sni = "localhost";          // empty: none sent
    std::vector<std::string> alpn;          // offered, in order
    int min_version = 0;                    // TLS1_2_VERSION...; 0: OpenSSL's default
    int max_version = 0;
    std::string client_cert_pem;  // mutual TLS
    std::string client_key_pem;
    std::chrono::milliseconds wait{10'000};
};

class TlsClient {
public:
    TlsClient(std::uint16_t port, TlsClientOptions options = {});
    ~TlsClient();
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    // Empty when the handshake succeeded, else OpenSSL's reason.
    const std::string& handshake_error() const { return error_; }
    bool connected() const { return error_.empty(); }
    std::string version() const;
    std::string alpn() const;

    bool send(std::string_view bytes);
    // One response to a request without a body: its status line, head and
    // Content-Length body, as text; nothing if it did not come in time.
    std::optional<std::string> read_response();
    // Everything until the server closes (close_notify or end of stream).
    std::string read_to_close();
    // Whether the server's close was a TLS close_notify (after read_to_close).
    bool saw_close_notify() const { return close_notify_; }

private:
    bool fill(std::size_t size);
    int fd_ = -1;
    void* context_ = nullptr;  // SSL_CTX
    void* ssl_ = nullptr;      // SSL
    std::string error_;
    std::string buffer_;
    bool close_notify_ = false;
};

// A GET of `path` with Connection: close over a new TLS connection: the
// whole response, or the handshake's error prefixed with "handshake: ".
std::string tls_get(std::uint16_t port, std::string_view path, const TlsClientOptions& options = {});

}  // namespace mockserve::test_support
