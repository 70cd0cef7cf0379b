#pragma once
// TlsContext: one server's TLS settings, made once from its TlsOptions and
// shared by its connections (OpenSSL's SSL_CTX). The policy is fixed here,
// in one place: TLS 1.2 and 1.3, no compression, no renegotiation, ECDHE
// with AEAD ciphers, ALPN from the options, client certificates required
// when a client authority is given.

#include "openssl_handles.hpp"

#include <mockserve/https_server.hpp>

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
    TlsContext(const TlsContext&) = delete;  // OpenSSL keeps a pointer to alpn_wire_
    TlsContext& operator=(const TlsContext&) = delete;

    SSL_CTX* native() const { return context_.get(); }

private:
    SslCtxPtr context_;
    std::string alpn_wire_;  // the server's protocols, each preceded by its length
};

}  // namespace mockserve::http::detail
