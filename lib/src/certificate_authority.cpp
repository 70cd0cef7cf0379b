#include <mockserve/certificate_authority.hpp>

#include "issued_keys.hpp"
#include "openssl_handles.hpp"
#include "tls_context.hpp"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include <stdexcept>

namespace mockserve::http {

using namespace detail;

namespace {

[[noreturn]] void fail(std::string_view what) {
    throw std::runtime_error(std::string(what) + ": " + take_openssl_error("OpenSSL failed"));
}

KeyPtr new_p256_key() {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) fail("cannot make an ECDSA P-256 key");
    return key;
}

void set_name(X509_NAME* name, std::string_view common_name) {
    const std::string cn(common_name.substr(0, 64));  // the CN's upper bound (RFC 5280)
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("mockserve"), -1, -1, 0);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                    -1, 0))
        fail("cannot name a certificate");
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) fail("cannot add a certificate extension");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `key`, named `common_name`, not yet signed nor extended.
X509Ptr new_certificate(EVP_PKEY* key, std::string_view common_name, const CertificateValidity& validity) {
    X509Ptr cert(X509_new());
    if (!cert) fail("cannot make a certificate");
    X509_set_version(cert.get(), 2);  // v3
    // A random 127-bit serial: two certificates of one run never share one.
    BIGNUM* serial = BN_new();
    BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
    BN_free(serial);
    // A minute before now by default: the clocks of client and server may differ a little.
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(validity.not_before.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(validity.not_after.count()));
    X509_set_pubkey(cert.get(), key);
    set_name(X509_get_subject_name(cert.get()), common_name);
    return cert;
}

std::string pem_of(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509(bio.get(), cert)) fail("cannot write a certificate");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string pem_of(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) fail("cannot write a key");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

bool is_ip_address(const std::string& name) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(name, ec);
    return !ec;
}

}  // namespace

struct CertificateAuthority::Impl {
    X509Ptr certificate;
    KeyPtr key;
    std::string certificate_pem;

    Credentials issue(std::string_view common_name, const std::string& extended_usage, const std::string& alt_names,
                      const CertificateValidity& validity) const {
        auto leaf_key = new_p256_key();
        auto leaf = new_certificate(leaf_key.get(), common_name, validity);
        X509_set_issuer_name(leaf.get(), X509_get_subject_name(certificate.get()));
        add_extension(leaf.get(), certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
        add_extension(leaf.get(), certificate.get(), NID_key_usage, "critical,digitalSignature");
        add_extension(leaf.get(), certificate.get(), NID_ext_key_usage, extended_usage);
        add_extension(leaf.get(), certificate.get(), NID_subject_key_identifier, "hash");
        add_extension(leaf.get(), certificate.get(), NID_authority_key_identifier, "keyid:always");
        if (!alt_names.empty()) add_extension(leaf.get(), certificate.get(), NID_subject_alt_name, alt_names);
        if (!X509_sign(leaf.get(), key.get(), EVP_sha256())) fail("cannot sign a certificate");
        Credentials credentials{pem_of(leaf.get()), pem_of(leaf_key.get())};
        remember_issued_key(credentials.private_key_pem, leaf_key.get());
        return credentials;
    }
};

CertificateAuthority::CertificateAuthority(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

CertificateAuthority CertificateAuthority::generate(std::string_view common_name) {
    auto impl = std::make_shared<Impl>();
    impl->key = new_p256_key();
    impl->certificate = new_certificate(impl->key.get(), common_name, CertificateValidity{});
    X509* cert = impl->certificate.get();
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert, cert, NID_subject_key_identifier, "hash");
    if (!X509_sign(cert, impl->key.get(), EVP_sha256())) fail("cannot sign the authority's certificate");
    impl->certificate_pem = pem_of(cert);
    return CertificateAuthority(std::move(impl));
}

CertificateAuthority CertificateAuthority::from_pem(std::string_view certificate_pem, std::string_view private_key_pem,
                                                    std::string_view password) {
    ERR_clear_error();
    auto impl = std::make_shared<Impl>();
    auto cert_bio = memory_bio(certificate_pem);
    impl->certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!impl->certificate)
        throw std::invalid_argument("the authority's certificate is not PEM: " + take_openssl_error("no certificate"));
    const std::string pass(password);
    auto key_bio = memory_bio(private_key_pem);
    impl->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, const_cast<char*>(pass.c_str())));
    if (!impl->key) {
        const auto why = take_openssl_error("no private key");
        throw std::invalid_argument(why == "bad decrypt" ? "wrong password for the authority's private key"
                                                         : "the authority's private key is not PEM: " + why);
    }
    if (X509_check_private_key(impl->certificate.get(), impl->key.get()) != 1) {
        ERR_clear_error();
        throw std::invalid_argument("the authority's private key does not match its certificate");
    }
    if (X509_check_ca(impl->certificate.get()) == 0)
        throw std::invalid_argument("the authority's certificate is not a certificate authority (CA:TRUE)");
    impl->certificate_pem = pem_of(impl->certificate.get());
    return CertificateAuthority(std::move(impl));
}

CertificateAuthority CertificateAuthority::from_files(const std::string& certificate_file,
                                                     const std::string& private_key_file, std::string_view password) {
    return from_pem(read_tls_file(certificate_file, "authority's certificate file"),
                    read_tls_file(private_key_file, "authority's key file"), password);
}

const std::string& CertificateAuthority::certificate_pem() const { return impl_->certificate_pem; }

Credentials CertificateAuthority::issue_server_certificate(const std::vector<std::string>& names,
                                                           CertificateValidity validity) const {
    std::string alt_names;
    for (const auto& name : names) {
        if (name.empty() || name.find_first_of(",\r\n") != std::string::npos)
            throw std::invalid_argument("not a host name or address: '" + name + "'");
        if (!alt_names.empty()) alt_names += ',';
        alt_names += is_ip_address(name) ? "IP:" : "DNS:";
        alt_names += name;
    }
    return impl_->issue(names.empty() ? "localhost" : names.front(), "serverAuth", alt_names, validity);
}

Credentials CertificateAuthority::issue_client_certificate(std::string_view common_name,
                                                           CertificateValidity validity) const {
    return impl_->issue(common_name, "clientAuth", {}, validity);
}

}  // namespace mockserve::http
