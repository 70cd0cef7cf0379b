#include "tls_context.hpp"

#include "issued_keys.hpp"

#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mockserve::http::detail {

std::string read_tls_file(const std::string& path, std::string_view role) {
    // A certificate, a key or a password is small and in a regular file: a
    // FIFO or a device (/dev/zero) given by mistake is refused, not read
    // without end.
    constexpr std::uintmax_t kLargest = 1024 * 1024;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status))
        throw std::invalid_argument("cannot read the " + std::string(role) + " '" + path + "': " +
                    (ec ? ec.message() : std::string("No such file or directory")));
    if (!std::filesystem::is_regular_file(status))
        throw std::invalid_argument("the " + std::string(role) + " '" + path + "' is not a regular file");
    if (std::filesystem::file_size(path, ec) > kLargest)
        throw std::invalid_argument("the " + std::string(role) + " '" + path + "' is larger than 1 MiB: not a PEM file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("cannot read the " + std::string(role) + " '" + path + "': " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

namespace {

// Mozilla's "intermediate" TLS 1.2 suites: forward secret, authenticated
// encryption only. TLS 1.3's own suites are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument(what); }


// Hands OpenSSL the key's password, and never lets it ask on a terminal.
int give_password(char* buffer, int size, int, void* password) {
    const auto& text = *static_cast<const std::string*>(password);
    if (text.empty() || static_cast<int>(text.size()) > size) return 0;
    std::memcpy(buffer, text.data(), text.size());
    return static_cast<int>(text.size());
}

void use_certificate_chain(SSL_CTX* context, const std::string& pem, const std::string& source) {
    auto bio = memory_bio(pem);
    X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    if (!leaf) refuse("no PEM certificate in " + source);
    if (SSL_CTX_use_certificate(context, leaf.get()) != 1)
        refuse("cannot use the certificate in " + source + ": " + take_openssl_error("refused"));
    SSL_CTX_clear_chain_certs(context);
    while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        if (SSL_CTX_add0_chain_cert(context, next) != 1) {
            X509_free(next);
            refuse("cannot use the chain in " + source + ": " + take_openssl_error("refused"));
        }
    }
    ERR_clear_error();  // the end of the file reads as an error
}

void use_private_key(SSL_CTX* context, const std::string& pem, const std::string& source, const std::string& password) {
    KeyPtr key = find_issued_key(pem);
    if (!key) {
        auto bio = memory_bio(pem);
        key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, give_password, const_cast<std::string*>(&password)));
    }
    if (!key) {
        const auto why = take_openssl_error("no PEM private key");
        if (pem.find("ENCRYPTED") != std::string::npos)
            refuse((password.empty() ? "the private key in " + source + " is encrypted: give its password"
                                     : "wrong password for the private key in " + source));
        refuse("no usable PEM private key in " + source + " (" + why + ")");
    }
    if (SSL_CTX_use_PrivateKey(context, key.get()) != 1 || SSL_CTX_check_private_key(context) != 1) {
        ERR_clear_error();
        refuse("the private key in " + source + " does not match the certificate");
    }
}

void require_client_certificates(SSL_CTX* context, const std::string& pem, const std::string& source) {
    auto bio = memory_bio(pem);
    X509_STORE* store = SSL_CTX_get_cert_store(context);
    int count = 0;
    while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
        X509_STORE_add_cert(store, cert.get());
        SSL_CTX_add_client_CA(context, cert.get());  // named in the CertificateRequest
        ++count;
    }
    ERR_clear_error();
    if (count == 0) refuse("no PEM certificate in the client authority " + source);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
}

// ALPN: h2 when the server speaks HTTP/2 and the client offers it, else the
// first of the server's protocols that the client offers; a client that
// offers none of them goes on without ALPN (and so speaks HTTP/1.1) rather
// than being refused.
int select_protocol(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* offered,
                    unsigned offered_size, void* tls_context) {
    const auto& context = *static_cast<const TlsContext*>(tls_context);
    static const std::string kH2Wire("\x02h2", 3);
    unsigned char* chosen = nullptr;
    if (context.offers_h2() &&
        SSL_select_next_proto(&chosen, out_size, reinterpret_cast<const unsigned char*>(kH2Wire.data()),
                              static_cast<unsigned>(kH2Wire.size()), offered, offered_size) == OPENSSL_NPN_NEGOTIATED) {
        *out = chosen;
        return SSL_TLSEXT_ERR_OK;
    }
    const auto& wire = context.alpn_wire();
    if (wire.empty()) return SSL_TLSEXT_ERR_NOACK;
    if (SSL_select_next_proto(&chosen, out_size, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size()), offered, offered_size) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace

TlsContext::TlsContext(const TlsOptions& options) : context_(SSL_CTX_new(TLS_server_method())) {
    ERR_clear_error();
    SSL_CTX* ctx = context_.get();
    if (!ctx) refuse("cannot make a TLS context: " + take_openssl_error("OpenSSL failed"));
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);
    SSL_CTX_set1_groups_list(ctx, kGroups);
    // Partial writes let a large response go out record by record; a retried
    // write may come from a moved buffer (the rest of the same bytes).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Reads take what the socket has, not a record header and then its body.
    SSL_CTX_set_read_ahead(ctx, 1);
    // Sessions resume from tickets the client keeps (stateless), so none is
    // stored here: an internal store takes a lock at every handshake and is
    // swept, whole, every 255 of them.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL_STORE |
                                             SSL_SESS_CACHE_NO_AUTO_CLEAR);
    // Sessions resume (and client certificates verify) only within this context.
    static const unsigned char kSessionContext[] = "mockserve";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);

    const bool from_memory = !options.cert_pem.empty() || !options.key_pem.empty();
    if (from_memory) {
        if (!options.certfile.empty() || !options.keyfile.empty())
            refuse("give the certificate either as files or as PEM text, not both");
        if (options.cert_pem.empty() || options.key_pem.empty())
            refuse("cert_pem and key_pem go together: give both");
        use_certificate_chain(ctx, options.cert_pem, "cert_pem");
        use_private_key(ctx, options.key_pem, "key_pem", options.password);
    } else {
        if (options.certfile.empty()) refuse("an HTTPS server needs a certificate (certfile, or cert_pem and key_pem)");
        const auto cert = read_tls_file(options.certfile, "certificate file");
        use_certificate_chain(ctx, cert, "'" + options.certfile + "'");
        const auto& keyfile = options.keyfile.empty() ? options.certfile : options.keyfile;
        use_private_key(ctx, options.keyfile.empty() ? cert : read_tls_file(keyfile, "key file"), "'" + keyfile + "'",
                        options.password);
    }

    if (!options.client_ca_file.empty())
        require_client_certificates(ctx, read_tls_file(options.client_ca_file, "client authority file"),
                                    "'" + options.client_ca_file + "'");
    else if (!options.client_ca_pem.empty())
        require_client_certificates(ctx, options.client_ca_pem, "client_ca_pem");

    for (const auto& protocol : options.alpn_protocols) {
        if (protocol.empty() || protocol.size() > 255) refuse("not an ALPN protocol name: '" + protocol + "'");
        if (protocol == "h2") continue;  // agreed only when the server speaks HTTP/2 (enable_http2())
        alpn_wire_ += static_cast<char>(protocol.size());
        alpn_wire_ += protocol;
    }
    SSL_CTX_set_alpn_select_cb(ctx, select_protocol, this);
}

}  // namespace mockserve::http::detail
