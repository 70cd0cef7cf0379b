#include "openssl_client.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace mockserve::scenario::detail {

std::string openssl_error_text() {
    std::string text;
    while (const auto code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        // "error:0A000086:SSL routines::certificate verify failed": the reason is last.
        std::string line = buffer;
        const auto colon = line.rfind(':');
        if (!text.empty()) text.append("; ");
        text.append(colon == std::string::npos ? line : line.substr(colon + 1));
    }
    return text;
}

ClientTls::ClientTls(const std::string& ca_file, bool insecure) : insecure_(insecure) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) throw std::runtime_error("cannot make a TLS client context: " + openssl_error_text());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    // An upstream that closes without close_notify after a body it delimited by closing is common; the
    // parser still notices a body that ends short of its Content-Length or its last chunk.
    SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
    static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(ctx_, alpn, sizeof alpn);
    if (insecure) {
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
        return;
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_) == 1
                                        : SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
        const auto why = openssl_error_text();
        SSL_CTX_free(ctx_);
        throw std::invalid_argument(ca_file.empty() ? "cannot load the system's trusted certificates: " + why
                                                    : "proxy.ca_file = " + ca_file + ": no PEM certificate could be read (" + why + ")");
    }
}

ClientTls::~ClientTls() { SSL_CTX_free(ctx_); }

}  // namespace mockserve::scenario::detail
