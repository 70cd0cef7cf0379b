#pragma once
// CertificateAuthority: a certificate authority made for a test run, so that
// a client under test verifies the fake server's certificate as it would a
// real one, trusting one file.
//
//   auto authority = CertificateAuthority::generate();
//   auto leaf = authority.issue_server_certificate({"localhost", "127.0.0.1", "::1"});
//   TlsOptions tls;
//   tls.cert_pem = leaf.certificate_pem;
//   tls.key_pem = leaf.private_key_pem;
//   // the client trusts authority.certificate_pem()
//
// Keys are ECDSA P-256, certificates SHA-256 signed and valid from a minute
// ago for a day; making an authority and a leaf takes well under a
// millisecond. The authority's key never leaves the object.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::http {

// When a certificate is valid, from now: by default from a minute ago for a
// day. An expired one ({-48h, -24h}) tests how a client refuses it.
struct CertificateValidity {
    std::chrono::seconds not_before{-60};
    std::chrono::seconds not_after{24 * 3600};
};

// A certificate and its private key, as PEM text.
struct Credentials {
    std::string certificate_pem;
    std::string private_key_pem;  // unencrypted PKCS#8
};

class CertificateAuthority {
public:
    // A new authority (CA:TRUE), named `common_name`.
    static CertificateAuthority generate(std::string_view common_name = "mockserve test authority");
    // A given authority: its certificate and key as PEM (the key encrypted
    // with `password`, if one is given). Throws std::invalid_argument when
    // they cannot sign (not a CA, a key that does not match, a wrong password).
    static CertificateAuthority from_pem(std::string_view certificate_pem, std::string_view private_key_pem,
                                         std::string_view password = {});

    // The same, from PEM files (regular files of at most 1 MiB).
    static CertificateAuthority from_files(const std::string& certificate_file, const std::string& private_key_file,
                                           std::string_view password = {});

    const std::string& certificate_pem() const;
    // A server certificate for `names`: host names and IP addresses (each
    // goes in subjectAltName as DNS or IP); the first is also its CN.
    Credentials issue_server_certificate(const std::vector<std::string>& names,
                                         CertificateValidity validity = {}) const;
    // A client certificate (extendedKeyUsage clientAuth) for mutual TLS.
    Credentials issue_client_certificate(std::string_view common_name, CertificateValidity validity = {}) const;

private:
    struct Impl;
    explicit CertificateAuthority(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> impl_;
};

}  // namespace mockserve::http
