#pragma once
// HTTPSServer: Python 3.14's http.server.HTTPSServer. The same server as
// HTTPServer, each connection wrapped in TLS before its first request;
// every handler works over it unchanged.
//
//   TlsOptions tls;
//   tls.certfile = "server.pem";   // the chain, leaf first
//   tls.keyfile = "server.key";    // optional when certfile holds the key too
//   HTTPSServer server({"127.0.0.1", 0}, handler_class<MyHandler>(), tls);
//   server.start();                // server.url() is "https://127.0.0.1:PORT"
//
// The certificate and key may also come from memory (cert_pem, key_pem), for
// instance from a CertificateAuthority made for the test run
// (certificate_authority.hpp).
//
// What every TLS server here does, whatever the options: TLS 1.2 and 1.3
// only; no compression, no renegotiation; ECDHE with AES-GCM or
// ChaCha20-Poly1305; ALPN answered from alpn_protocols (a client that offers
// none of them goes on without ALPN, and speaks HTTP/1.1); the handshake
// counts against Limits::request_timeout; a client that speaks plain HTTP to
// the port is answered 400 in plain HTTP and closed; a handshake that fails
// is logged once and closed; a graceful close sends close_notify.

#include <mockserve/http_server.hpp>

#include <string>
#include <vector>

namespace mockserve::http {

// Python's keyword arguments (certfile, keyfile, password, alpn_protocols),
// and mockserve's own.
struct TlsOptions {
    std::string certfile;  // PEM: the certificate, then its chain
    std::string keyfile;   // PEM: the private key; empty: it is in certfile
    std::string password;  // of an encrypted private key
    std::vector<std::string> alpn_protocols{"http/1.1"};  // in the server's order of preference

    // Instead of the files: PEM text (both, or neither).
    std::string cert_pem;
    std::string key_pem;

    // Mutual TLS: when either is set, a client must present a certificate
    // signed by one of these authorities (a PEM file, or PEM text), or the
    // handshake fails.
    std::string client_ca_file;
    std::string client_ca_pem;

    // Loads everything as the server would: empty when the options can
    // serve, else what is wrong ("the private key does not match the
    // certificate", "wrong password for the private key in 'server.key'").
    std::string check() const;
};

// The password in `file`, as Python's --tls-password-file reads it: the
// file's text without white space at both ends. Throws std::invalid_argument
// naming the file when it cannot be read.
std::string read_password_file(const std::string& file);

class HTTPSServer : public HTTPServer {
public:
    // Throws std::invalid_argument when the options cannot serve (check()).
    HTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls, Limits limits = {});

protected:
    HTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls, Limits limits,
                unsigned default_threads);
};

// Python's ThreadingHTTPSServer: one I/O thread per core by default.
class ThreadingHTTPSServer : public HTTPSServer {
public:
    ThreadingHTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls, Limits limits = {});
    bool daemon_threads = true;
};

}  // namespace mockserve::http
