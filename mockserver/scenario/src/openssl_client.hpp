#pragma once
// ClientTls: how a proxy route checks an HTTPS upstream, as one OpenSSL
// client context made when the route is prepared: the system's trust store
// or proxy.ca_file, or nothing checked (proxy.insecure). ALPN offers
// http/1.1 only.

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace mockserve::scenario::detail {

struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslHandle = std::unique_ptr<SSL, SslFree>;

class ClientTls {
public:
    // Throws std::invalid_argument when ca_file cannot be read as PEM certificates.
    ClientTls(const std::string& ca_file, bool insecure);
    ~ClientTls();
    ClientTls(const ClientTls&) = delete;
    ClientTls& operator=(const ClientTls&) = delete;

    SSL_CTX* context() const { return ctx_; }
    bool verifies() const { return !insecure_; }

private:
    SSL_CTX* ctx_ = nullptr;
    bool insecure_ = false;
};

// OpenSSL's last error as text ("certificate verify failed"), the queue emptied.
std::string openssl_error_text();

}  // namespace mockserve::scenario::detail
