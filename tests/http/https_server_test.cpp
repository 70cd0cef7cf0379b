// HTTPSServer over real sockets: handlers unchanged over TLS, what the
// connection agreed, certificates, and every way a client can get TLS wrong.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/certificate_authority.hpp>
#include <mockserve/https_server.hpp>
#include <mockserve/simple_http_request_handler.hpp>

#include "support/log_capture.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fstream>
#include <poll.h>
#include <mutex>
#include <sys/socket.h>
#include <vector>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using test_support::LogCapture;
using test_support::RawClient;
using test_support::TempDir;
using test_support::tls_get;
using test_support::TlsClient;
using test_support::TlsClientOptions;

// Answers with what the handler saw of the connection's TLS.
class TlsEchoHandler : public BaseHTTPRequestHandler {
public:
    TlsEchoHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        std::string body = "path=" + path + "\n";
        if (tls) {
            body += "version=" + tls->version + "\ncipher=" + tls->cipher + "\nsni=" + tls->sni + "\nalpn=" +
                    tls->alpn + "\nclient=" + tls->client_subject + "\n";
        } else {
            body += "plain\n";
        }
        send_response(200);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }
};

const CertificateAuthority& authority() {
    static const auto ca = CertificateAuthority::generate();
    return ca;
}

TlsOptions leaf_options() {
    const auto leaf = authority().issue_server_certificate({"localhost", "127.0.0.1", "::1"});
    TlsOptions options;
    options.cert_pem = leaf.certificate_pem;
    options.key_pem = leaf.private_key_pem;
    return options;
}

TlsClientOptions trusting() {
    TlsClientOptions options;
    options.trusted_ca_pem = authority().certificate_pem();
    return options;
}

struct TlsServer {
    explicit TlsServer(TlsOptions options = leaf_options(), Limits limits = {})
        : server({"127.0.0.1", 0}, handler_class<TlsEchoHandler>(), std::move(options), limits) {
        server.set_log_sink(log.sink());
        server.set_exchange_observer([this](Exchange&& e) {
            std::lock_guard lock(mutex);
            exchanges.push_back(std::move(e));
        });
        server.start();
    }
    std::vector<Exchange> recorded() {
        std::lock_guard lock(mutex);
        return exchanges;
    }
    std::uint16_t port() const { return server.server_port; }
    LogCapture log;
    std::mutex mutex;
    std::vector<Exchange> exchanges;
    HTTPSServer server;
};

// ---------------------------------------------------------------------------
// Serving

TEST(HttpsServer, ServesAHandlerOverTlsAndTellsItWhatWasAgreed) {
    TlsServer s;
    EXPECT_THAT(s.server.url(), StartsWith("https://127.0.0.1:"));
    auto options = trusting();
    options.alpn = {"http/1.1"};
    const auto response = tls_get(s.port(), "/hello", options);
    EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(response, HasSubstr("path=/hello\nversion=TLSv1.3\ncipher=TLS_"));
    EXPECT_THAT(response, HasSubstr("sni=localhost\nalpn=http/1.1\nclient=\n"));
    const auto recorded = s.recorded();
    ASSERT_EQ(recorded.size(), 1u);
    ASSERT_TRUE(recorded[0].tls);
    EXPECT_EQ(recorded[0].tls->version, "TLSv1.3");
    EXPECT_EQ(recorded[0].tls->sni, "localhost");
    EXPECT_EQ(recorded[0].tls->alpn, "http/1.1");
}

TEST(HttpsServer, KeepsAConnectionAliveAcrossRequests) {
    TlsServer s;
    TlsClient client(s.port(), trusting());
    ASSERT_TRUE(client.connected()) << client.handshake_error();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(client.send("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        const auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_THAT(*response, HasSubstr("path=/" + std::to_string(i) + "\n"));
    }
    EXPECT_EQ(s.recorded().size(), 3u);
}

TEST(HttpsServer, SpeaksTls12AndTls13AndNothingOlder) {
    TlsServer s;
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        auto options = trusting();
        options.min_version = options.max_version = version;
        TlsClient client(s.port(), options);
        ASSERT_TRUE(client.connected()) << client.handshake_error();
        EXPECT_EQ(client.version(), version == TLS1_2_VERSION ? "TLSv1.2" : "TLSv1.3");
    }
    auto old = trusting();
    old.max_version = TLS1_1_VERSION;
    old.min_version = TLS1_VERSION;
    TlsClient client(s.port(), old);
    EXPECT_FALSE(client.connected());
}

TEST(HttpsServer, AClientOfferingOnlyH2GetsHttp11WithoutAlpn) {
    TlsServer s;
    auto options = trusting();
    options.alpn = {"h2"};
    TlsClient client(s.port(), options);
    ASSERT_TRUE(client.connected()) << client.handshake_error();
    EXPECT_EQ(client.alpn(), "");
    client.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_THAT(*response, StartsWith("HTTP/1.1 200 OK"));
}

TEST(HttpsServer, PrefersHttp11AmongOfferedProtocols) {
    TlsServer s;
    auto options = trusting();
    options.alpn = {"h2", "http/1.1"};
    TlsClient client(s.port(), options);
    ASSERT_TRUE(client.connected());
    EXPECT_EQ(client.alpn(), "http/1.1");
}

TEST(HttpsServer, RecordsNoSniWhenTheClientSendsNone) {
    TlsServer s;
    auto options = trusting();
    options.sni.clear();
    EXPECT_THAT(tls_get(s.port(), "/", options), HasSubstr("sni=\n"));
}

TEST(HttpsServer, AClientThatDoesNotTrustTheAuthorityRefusesTheCertificate) {
    TlsServer s;
    auto options = trusting();
    options.trusted_ca_pem = CertificateAuthority::generate().certificate_pem();  // another run's
    EXPECT_THAT(tls_get(s.port(), "/", options), HasSubstr("certificate verify failed"));
    // The server logs the client's alert once and goes on serving.
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("127.0.0.1 - - ["));
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
}

TEST(HttpsServer, TheCertificateNamesLocalhostAndTheLoopbackAddresses) {
    TlsServer s;
    for (const char* name : {"localhost", "127.0.0.1", "::1"}) {
        auto options = trusting();
        options.verify_host = name;
        EXPECT_THAT(tls_get(s.port(), "/", options), StartsWith("HTTP/1.1 200")) << name;
    }
    auto options = trusting();
    options.verify_host = "example.com";
    EXPECT_THAT(tls_get(s.port(), "/", options), HasSubstr("certificate verify failed"));
}

TEST(HttpsServer, ServesFilesInRecordSizedPiecesWithFlatMemory) {
    TempDir dir;
    constexpr std::size_t kSize = 64u << 20;
    {
        std::ofstream out(dir.path() / "big.bin", std::ios::binary);
        std::string block(1 << 20, 'x');
        for (std::size_t i = 0; i < kSize / block.size(); ++i) out << block;
    }
    const auto root = dir.str();
    HTTPSServer server({"127.0.0.1", 0},
                       [root] {
                           auto h = std::make_unique<SimpleHTTPRequestHandler>(root);
                           h->protocol_version = "HTTP/1.1";
                           return h;
                       },
                       leaf_options());
    server.quiet();
    server.start();
    const auto resident = [] {
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
        return 0L;
    };
    const long before = resident();
    TlsClient client(server.server_port, trusting());
    ASSERT_TRUE(client.connected());
    client.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    // Read and count without keeping the body.
    const auto response = client.read_to_close();
    EXPECT_EQ(response.size() - response.find("\r\n\r\n") - 4, kSize);
    EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK"));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // The client's copy of the body is 64 MiB; the server's must add little more.
    EXPECT_LT(resident() - before, 64 * 1024 + 16 * 1024) << "KiB";
#else
    (void)before;
#endif
}

TEST(HttpsServer, GracefulShutdownSendsCloseNotify) {
    auto s = std::make_unique<TlsServer>();
    TlsClient client(s->port(), trusting());
    ASSERT_TRUE(client.connected());
    client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    s->server.shutdown();
    client.read_to_close();
    EXPECT_TRUE(client.saw_close_notify());
}

// ---------------------------------------------------------------------------
// Clients that get it wrong: each is answered or closed, logged once, and
// the server serves the next client.

TEST(HttpsServer, AnswersPlainHttpOnTheTlsPortWith400) {
    TlsServer s;
    RawClient raw(s.port());
    raw.send("GET /page?x=1 HTTP/1.1\r\nHost: localhost:8443\r\n\r\n");
    const auto text = raw.read_to_close();
    EXPECT_THAT(text, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
    EXPECT_THAT(text, HasSubstr("The plain HTTP request was sent to HTTPS port"));
    EXPECT_THAT(text, HasSubstr("https://localhost:8443/page?x=1"));
    EXPECT_THAT(s.log.wait_for("plain HTTP"), HasSubstr("code 400"));
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
}

TEST(HttpsServer, ClosesOnGarbageAndLogsOnce) {
    TlsServer s;
    RawClient raw(s.port());
    raw.send(std::string("\x16\x03\x01\x00\x05garbage-after-a-record-header", 34));
    raw.read_to_close();  // an alert at most, then the close
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), Not(IsEmpty()));
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
    std::size_t failures = 0;
    for (const auto& line : s.log.lines()) failures += line.find("TLS handshake failed") != std::string::npos;
    EXPECT_EQ(failures, 1u);
}

TEST(HttpsServer, ClosesOnABinaryNonTlsFirstByte) {
    TlsServer s;
    RawClient raw(s.port());
    raw.send(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\r\n\r\n", 12));
    raw.read_to_close();  // an alert, then the close
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("wrong version number"));
}

// The first bytes of a real ClientHello, for the truncated and reset cases.
std::string client_hello_prefix() {
    // A record header announcing 512 bytes, and the start of a ClientHello.
    // Appended, not "+": GCC 12 warns falsely (-Warray-bounds) about the concatenation.
    std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    return hello.append(40, 'r');
}

TEST(HttpsServer, ATruncatedRecordThenCloseIsLoggedAndClosed) {
    TlsServer s;
    {
        RawClient raw(s.port());
        raw.send(client_hello_prefix());
        raw.shutdown_write();
        raw.read_to_close();  // an alert at most, then the close
    }
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("unexpected eof"));
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
}

// A whole ClientHello, made by an OpenSSL client writing into memory.
std::string client_hello() {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(context);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    SSL_set_tlsext_host_name(ssl, "localhost");
    SSL_connect(ssl);  // wants to read the ServerHello: the ClientHello is out
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    std::string hello(data, static_cast<std::size_t>(size));
    SSL_free(ssl);
    SSL_CTX_free(context);
    return hello;
}

TEST(HttpsServer, AResetMidHandshakeIsLoggedAndTheServerGoesOn) {
    TlsServer s;
    {
        RawClient raw(s.port());
        raw.send(client_hello());
        // The server's answer (ServerHello...) shows it is in the handshake.
        pollfd ready{raw.fd(), POLLIN, 0};
        ASSERT_EQ(::poll(&ready, 1, 10'000), 1);
        char some[64];
        ASSERT_GT(::recv(raw.fd(), some, sizeof some, 0), 0);
        linger reset{1, 0};
        ::setsockopt(raw.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }  // closed with a reset
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("reset"));
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
}

TEST(HttpsServer, APortProbeThatSaysNothingIsNotLogged) {
    TlsServer s;
    { RawClient probe(s.port()); }
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
    for (const auto& line : s.log.lines()) EXPECT_THAT(line, Not(HasSubstr("TLS")));
}

TEST(HttpsServer, UnfinishedHandshakesAreCutOffAndDoNotStarveOthers) {
    Limits limits;
    limits.request_timeout = std::chrono::milliseconds(500);
    TlsServer s(leaf_options(), limits);
    std::vector<std::unique_ptr<RawClient>> stalled;
    for (int i = 0; i < 200; ++i) {
        stalled.push_back(std::make_unique<RawClient>(s.port()));
        if (i % 2) stalled.back()->send(client_hello_prefix());  // half say a little, half nothing
    }
    // A normal client is served while the 200 wait.
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), StartsWith("HTTP/1.1 200"));
    // Each stalled one is cut off at the deadline.
    for (auto& client : stalled) EXPECT_TRUE(client->closed_by_server(std::chrono::seconds(10)));
}

// ---------------------------------------------------------------------------
// Mutual TLS

TlsOptions mutual_options() {
    auto options = leaf_options();
    options.client_ca_pem = authority().certificate_pem();
    return options;
}

TEST(HttpsServer, MutualTlsAcceptsAClientCertificateOfTheAuthority) {
    TlsServer s(mutual_options());
    const auto client = authority().issue_client_certificate("test client");
    auto options = trusting();
    options.client_cert_pem = client.certificate_pem;
    options.client_key_pem = client.private_key_pem;
    EXPECT_THAT(tls_get(s.port(), "/", options), HasSubstr("client=CN=test client,O=mockserve\n"));
    ASSERT_EQ(s.recorded().size(), 1u);
    EXPECT_EQ(s.recorded()[0].tls->client_subject, "CN=test client,O=mockserve");
}

TEST(HttpsServer, MutualTlsRefusesAClientWithoutACertificate) {
    TlsServer s(mutual_options());
    EXPECT_THAT(tls_get(s.port(), "/", trusting()), Not(HasSubstr("200 OK")));
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("certificate"));
    EXPECT_TRUE(s.recorded().empty());
}

TEST(HttpsServer, MutualTlsRefusesACertificateOfAnotherAuthority) {
    TlsServer s(mutual_options());
    const auto stranger = CertificateAuthority::generate().issue_client_certificate("stranger");
    auto options = trusting();
    options.client_cert_pem = stranger.certificate_pem;
    options.client_key_pem = stranger.private_key_pem;
    EXPECT_THAT(tls_get(s.port(), "/", options), Not(HasSubstr("200 OK")));
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("unable to get"));
}

TEST(HttpsServer, MutualTlsRefusesAnExpiredClientCertificate) {
    TlsServer s(mutual_options());
    const auto expired = authority().issue_client_certificate(
        "expired", {std::chrono::hours(-48), std::chrono::hours(-24)});
    auto options = trusting();
    options.client_cert_pem = expired.certificate_pem;
    options.client_key_pem = expired.private_key_pem;
    EXPECT_THAT(tls_get(s.port(), "/", options), Not(HasSubstr("200 OK")));
    EXPECT_THAT(s.log.wait_for("TLS handshake failed"), HasSubstr("certificate has expired"));
    EXPECT_THAT(tls_get(s.port(), "/", [] {
                    auto o = trusting();
                    const auto ok = authority().issue_client_certificate("ok");
                    o.client_cert_pem = ok.certificate_pem;
                    o.client_key_pem = ok.private_key_pem;
                    return o;
                }()),
                StartsWith("HTTP/1.1 200"));
}

// ---------------------------------------------------------------------------
// Options that cannot serve

std::string encrypted_key_pem(const std::string& key_pem, const std::string& password) {
    BIO* in = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
    BIO_free(in);
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                  const_cast<char*>(password.c_str()));
    char* data = nullptr;
    const long size = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<std::size_t>(size));
    BIO_free(out);
    EVP_PKEY_free(key);
    return pem;
}

TEST(TlsOptions, FilesWithAPasswordServe) {
    TempDir dir;
    const auto leaf = authority().issue_server_certificate({"localhost"});
    TlsOptions options;
    options.certfile = dir.write("cert.pem", leaf.certificate_pem).string();
    options.keyfile = dir.write("key.pem", encrypted_key_pem(leaf.private_key_pem, "s3cret")).string();
    options.password = "s3cret";
    EXPECT_EQ(options.check(), "");
    HTTPSServer server({"127.0.0.1", 0}, handler_class<TlsEchoHandler>(), options);
    server.quiet();
    server.start();
    EXPECT_THAT(tls_get(server.server_port, "/", trusting()), StartsWith("HTTP/1.1 200"));
}

TEST(TlsOptions, SayWhatIsWrong) {
    TempDir dir;
    const auto leaf = authority().issue_server_certificate({"localhost"});
    const auto other = authority().issue_server_certificate({"localhost"});
    TlsOptions missing;
    missing.certfile = (dir.path() / "nope.pem").string();
    EXPECT_THAT(missing.check(), HasSubstr("cannot read the certificate file"));

    TlsOptions mismatch;
    mismatch.cert_pem = leaf.certificate_pem;
    mismatch.key_pem = other.private_key_pem;
    EXPECT_THAT(mismatch.check(), HasSubstr("does not match the certificate"));

    TlsOptions wrong_password;
    wrong_password.cert_pem = leaf.certificate_pem;
    wrong_password.key_pem = encrypted_key_pem(leaf.private_key_pem, "right");
    wrong_password.password = "wrong";
    EXPECT_THAT(wrong_password.check(), HasSubstr("wrong password"));
    wrong_password.password.clear();
    EXPECT_THAT(wrong_password.check(), HasSubstr("is encrypted: give its password"));

    TlsOptions nothing;
    EXPECT_THAT(nothing.check(), HasSubstr("needs a certificate"));
    EXPECT_THROW(HTTPSServer({"127.0.0.1", 0}, handler_class<TlsEchoHandler>(), nothing), std::invalid_argument);
}

TEST(CertificateAuthority, AGivenAuthorityMustBeACaWithItsOwnKey) {
    const auto ca = CertificateAuthority::generate();
    const auto leaf = ca.issue_server_certificate({"localhost"});
    EXPECT_THROW(CertificateAuthority::from_pem(leaf.certificate_pem, leaf.private_key_pem), std::invalid_argument);
    const auto other = CertificateAuthority::generate();
    EXPECT_THROW(CertificateAuthority::from_pem(ca.certificate_pem(), leaf.private_key_pem), std::invalid_argument);
    (void)other;
}

}  // namespace
}  // namespace mockserve::http
