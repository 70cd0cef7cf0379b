#include "tls_client.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <utility>

namespace mockserve::test_support {

namespace {

std::string openssl_reason() {
    unsigned long last = 0;
    while (const unsigned long e = ERR_get_error()) last = e;
    if (last == 0) return "failed";
    const char* reason = ERR_reason_error_string(last);
    return reason ? reason : "failed";
}

void add_pem_certificates(X509_STORE* store, const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, cert);
        X509_free(cert);
    }
    ERR_clear_error();
    BIO_free(bio);
}

}  // namespace

TlsClient::TlsClient(std::uint16_t port, TlsClientOptions options) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{static_cast<time_t>(options.wait.count() / 1000),
                    static_cast<suseconds_t>(options.wait.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        error_ = "connect failed";
        return;
    }
    auto* context = SSL_CTX_new(TLS_client_method());
    context_ = context;
    if (options.min_version) SSL_CTX_set_min_proto_version(context, options.min_version);
    if (options.max_version) SSL_CTX_set_max_proto_version(context, options.max_version);
    if (!options.trusted_ca_pem.empty()) {
        add_pem_certificates(SSL_CTX_get_cert_store(context), options.trusted_ca_pem);
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    }
    if (!options.client_cert_pem.empty()) {
        BIO* cert = BIO_new_mem_buf(options.client_cert_pem.data(), static_cast<int>(options.client_cert_pem.size()));
        X509* x = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
        SSL_CTX_use_certificate(context, x);
        X509_free(x);
        BIO_free(cert);
        BIO* key = BIO_new_mem_buf(options.client_key_pem.data(), static_cast<int>(options.client_key_pem.size()));
        EVP_PKEY* k = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
        SSL_CTX_use_PrivateKey(context, k);
        EVP_PKEY_free(k);
        BIO_free(key);
    }
    std::string alpn_wire;
    for (const auto& protocol : options.alpn) alpn_wire += static_cast<char>(protocol.size()) + protocol;
    if (!alpn_wire.empty())
        SSL_CTX_set_alpn_protos(context, reinterpret_cast<const unsigned char*>(alpn_wire.data()),
                                static_cast<unsigned>(alpn_wire.size()));
    SSL* ssl = SSL_new(context);
    ssl_ = ssl;
    SSL_set_fd(ssl, fd_);
    if (!options.sni.empty()) SSL_set_tlsext_host_name(ssl, options.sni.c_str());
    if (!options.trusted_ca_pem.empty()) SSL_set1_host(ssl, options.verify_host.c_str());
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
        error_ = openssl_reason();
        if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK)
            error_ += std::string(": ") + X509_verify_cert_error_string(verify);
    }
}

TlsClient::~TlsClient() {
    if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
    if (context_) SSL_CTX_free(static_cast<SSL_CTX*>(context_));
    if (fd_ >= 0) ::close(fd_);
}

std::string TlsClient::version() const { return ssl_ ? SSL_get_version(static_cast<SSL*>(ssl_)) : ""; }

std::string TlsClient::alpn() const {
    const unsigned char* data = nullptr;
    unsigned size = 0;
    if (ssl_) SSL_get0_alpn_selected(static_cast<SSL*>(ssl_), &data, &size);
    return data ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

bool TlsClient::send(std::string_view bytes) {
    if (!connected()) return false;
    std::size_t written = 0;
    return SSL_write_ex(static_cast<SSL*>(ssl_), bytes.data(), bytes.size(), &written) == 1 && written == bytes.size();
}

bool TlsClient::fill(std::size_t size) {
    char chunk[16384];
    while (buffer_.size() < size) {
        std::size_t n = 0;
        ERR_clear_error();
        const int result = SSL_read_ex(static_cast<SSL*>(ssl_), chunk, sizeof chunk, &n);
        if (result != 1) {
            if (SSL_get_error(static_cast<SSL*>(ssl_), result) == SSL_ERROR_ZERO_RETURN) close_notify_ = true;
            return false;
        }
        buffer_.append(chunk, n);
    }
    return true;
}

std::optional<std::string> TlsClient::read_response() {
    if (!connected()) return std::nullopt;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(buffer_.size() + 1)) return std::nullopt;
    end += 4;
    std::size_t length = 0;
    std::string head = buffer_.substr(0, end);
    std::string lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos)
        length = std::stoul(head.substr(at + 17));
    if (!fill(end + length)) return std::nullopt;
    auto response = buffer_.substr(0, end + length);
    buffer_.erase(0, end + length);
    return response;
}

std::string TlsClient::read_to_close() {
    if (connected())
        while (fill(buffer_.size() + 1)) {
        }
    return std::exchange(buffer_, {});
}

std::string tls_get(std::uint16_t port, std::string_view path, const TlsClientOptions& options) {
    TlsClient client(port, options);
    if (!client.connected()) return "handshake: " + client.handshake_error();
    client.send("GET " + std::string(path) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    return client.read_to_close();
}

}  // namespace mockserve::test_support
