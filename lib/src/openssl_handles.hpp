#pragma once
// Owning handles for OpenSSL objects, and its error queue as text.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

namespace mockserve::http::detail {

template <auto Free>
struct OpenSslFree {
    template <class T>
    void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslFree<SSL_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslFree<SSL_CTX_free>>;

// A read-only BIO over `text`, which must outlive it.
inline BioPtr memory_bio(std::string_view text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// What OpenSSL's error queue says (its last reason), emptying it; `fallback`
// when it is empty.
inline std::string take_openssl_error(std::string_view fallback) {
    unsigned long last = 0;
    while (const unsigned long e = ERR_get_error()) last = e;
    if (last == 0) return std::string(fallback);
    const char* reason = ERR_reason_error_string(last);
    return reason ? reason : std::string(fallback);
}

}  // namespace mockserve::http::detail
