#pragma once
// TlsFacts: what a TLS connection agreed on, as the server saw it once the
// handshake was done. A handler finds them in BaseHTTPRequestHandler::tls,
// an exchange record in Exchange::tls; both are null over plain HTTP.

#include <string>

namespace mockserve::http {

struct TlsFacts {
    std::string version;         // "TLSv1.3" or "TLSv1.2"
    std::string cipher;          // OpenSSL's name: "TLS_AES_256_GCM_SHA384"
    std::string sni;             // the host name the client asked for; empty when it sent none
    std::string alpn;            // the protocol agreed by ALPN ("http/1.1"); empty when none was
    std::string client_subject;  // the client certificate's subject, RFC 2253 ("CN=client,O=mockserve"); empty when none
};

}  // namespace mockserve::http
