#pragma once
// TlsContext: one server's TLS settings, made once from its TlsOptions and
// shared by its connections (OpenSSL's SSL_CTX). The policy is fixed here,
// in one place: TLS 1.2 and 1.3, no compression, no renegotiation, ECDHE
// with AEAD ciphers, ALPN from the options, client certificates required
// when a client authority is given.

#include "openssl_handles.hpp"

#include <mockserve/https_server.hpp>

#include <atomic>
#include <string>
#include <string_view>

namespace mockserve::http::detail {

// The text of a TLS file (certificate, key, password): a regular file of at
// most 1 MiB. Throws std::invalid_argument naming `role` and the file.
std::string read_tls_file(const std::string& path, std::string_view role);

class TlsContext {
public:
    // Throws std::invalid_argument saying what is wrong with the options.
    explicit TlsContext(const TlsOptions& options);
    TlsContext(const TlsContext&) = delete;  // OpenSSL keeps a pointer to this
    TlsContext& operator=(const TlsContext&) = delete;

    SSL_CTX* native() const { return context_.get(); }
    // Whether ALPN offers h2 first (HTTPServer::enable_http2()). A setting of
    // the server that shares this context, so it may change on a const one.
    void offer_h2(bool on) const { h2_.store(on, std::memory_order_relaxed); }
    bool offers_h2() const { return h2_.load(std::memory_order_relaxed); }
    const std::string& alpn_wire() const { return alpn_wire_; }

private:
    SslCtxPtr context_;
    std::string alpn_wire_;  // the server's protocols, each preceded by its length; never h2
    mutable std::atomic<bool> h2_{false};
};

}  // namespace mockserve::http::detail
