#include "support/h2_client.hpp"

#include "support/raw_client.hpp"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>

namespace mockserve::test_support {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string base64url(std::string_view bytes) {
    static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : bytes) {
        bits = (bits << 8) | static_cast<unsigned char>(c);
        count += 8;
        while (count >= 6) {
            count -= 6;
            out.push_back(kAlphabet[(bits >> count) & 0x3F]);
        }
    }
    if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3F]);
    return out;
}

nghttp2_nv field(const std::string& name, const std::string& value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

std::string protocol_name(Protocol protocol) {
    switch (protocol) {
        case Protocol::http1: return "http1";
        case Protocol::h2c: return "h2c";
        case Protocol::h2c_upgrade: return "h2c_upgrade";
        case Protocol::h2: return "h2";
    }
    return "?";
}

std::optional<std::string> H2Response::header(std::string_view name) const {
    const auto wanted = lower(name);
    for (const auto& [n, v] : headers)
        if (lower(n) == wanted) return v;
    return std::nullopt;
}

struct H2Client::Impl {
    int fd = -1;
    SSL_CTX* context = nullptr;
    SSL* ssl = nullptr;
    nghttp2_session* session = nullptr;
    std::chrono::milliseconds wait{};
    Protocol protocol{};
    bool upgrade_pending = false;
    bool closed = false;
    std::map<std::int32_t, H2Response*> responses;
    std::map<std::int32_t, std::pair<const std::string*, std::size_t>> bodies;  // request bodies being sent
    std::size_t open = 0;
    std::optional<std::uint32_t>* goaway = nullptr;

    ~Impl() {
        if (session) nghttp2_session_del(session);
        if (ssl) SSL_free(ssl);
        if (context) SSL_CTX_free(context);
        if (fd >= 0) ::close(fd);
    }

    bool wait_ready(short events, Clock::time_point deadline) {
        if (ssl && (events & POLLIN) && SSL_pending(ssl) > 0) return true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        return ::poll(&p, 1, static_cast<int>(left)) > 0;
    }

    bool send_all(std::string_view bytes) {
        const auto deadline = Clock::now() + wait;
        while (!bytes.empty()) {
            long n;
            if (ssl) {
                n = SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size()));
                if (n <= 0) {
                    const int e = SSL_get_error(ssl, static_cast<int>(n));
                    if ((e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) &&
                        wait_ready(e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline))
                        continue;
                    return false;
                }
            } else {
                n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                    if ((errno == EAGAIN || errno == EINTR) && wait_ready(POLLOUT, deadline)) continue;
                    return false;
                }
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // Some bytes; 0 at the end of the stream (or an error); -1 on timeout.
    long receive(char* into, std::size_t size, Clock::time_point deadline) {
        for (;;) {
            if (ssl) {
                const int n = SSL_read(ssl, into, static_cast<int>(size));
                if (n > 0) return n;
                const int e = SSL_get_error(ssl, n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    if (!wait_ready(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return -1;
                    continue;
                }
                return 0;
            }
            const auto n = ::recv(fd, into, size, MSG_DONTWAIT);
            if (n > 0) return n;
            if (n == 0) return 0;
            if (errno != EAGAIN && errno != EINTR) return 0;
            if (!wait_ready(POLLIN, deadline)) return -1;
        }
    }

    bool flush() {
        for (;;) {
            const std::uint8_t* data = nullptr;
            const auto n = nghttp2_session_mem_send(session, &data);
            if (n < 0) return false;
            if (n == 0) return true;
            if (!send_all({reinterpret_cast<const char*>(data), static_cast<std::size_t>(n)})) return false;
        }
    }

    // Reads and feeds nghttp2 until `done()` or the deadline; false on timeout.
    template <class Done>
    bool pump(Done&& done, Clock::time_point deadline) {
        char buffer[16 * 1024];
        while (!done()) {
            if (!flush()) {
                closed = true;
                return true;
            }
            if (done()) break;
            const auto n = receive(buffer, sizeof buffer, deadline);
            if (n < 0) return false;
            if (n == 0) {
                closed = true;
                return true;
            }
            if (nghttp2_session_mem_recv(session, reinterpret_cast<const std::uint8_t*>(buffer), static_cast<std::size_t>(n)) < 0) {
                closed = true;
                return true;
            }
        }
        return flush() || true;
    }
};

namespace {

H2Client::Impl& impl_of(void* user_data) { return *static_cast<H2Client::Impl*>(user_data); }

int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_size,
              const std::uint8_t* value, std::size_t value_size, std::uint8_t, void* user_data) {
    auto& self = impl_of(user_data);
    const auto it = self.responses.find(frame->hd.stream_id);
    if (it == self.responses.end()) return 0;
    const std::string n(reinterpret_cast<const char*>(name), name_size);
    const std::string v(reinterpret_cast<const char*>(value), value_size);
    if (n == ":status") {
        const int status = std::stoi(v);
        if (status < 200) {
            it->second->interim.push_back(status);
        } else {
            it->second->status = status;
        }
        return 0;
    }
    if (it->second->status >= 200) it->second->headers.emplace_back(n, v);
    return 0;
}

int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data, std::size_t size,
            void* user_data) {
    auto& self = impl_of(user_data);
    if (const auto it = self.responses.find(stream_id); it != self.responses.end())
        it->second->body.append(reinterpret_cast<const char*>(data), size);
    return 0;
}

int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user_data) {
    auto& self = impl_of(user_data);
    if (const auto it = self.responses.find(stream_id); it != self.responses.end()) {
        if (error_code != NGHTTP2_NO_ERROR || it->second->status == 0) it->second->reset = error_code;
        self.responses.erase(it);
        --self.open;
    }
    self.bodies.erase(stream_id);
    return 0;
}

int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    auto& self = impl_of(user_data);
    if (frame->hd.type == NGHTTP2_GOAWAY && self.goaway) *self.goaway = frame->goaway.error_code;
    return 0;
}

long read_request_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* into, std::size_t length,
                       std::uint32_t* flags, nghttp2_data_source*, void* user_data) {
    auto& self = impl_of(user_data);
    auto& [body, at] = self.bodies[stream_id];
    const auto n = std::min(length, body ? body->size() - at : 0);
    if (n > 0) std::copy_n(body->data() + at, n, into);
    at += n;
    if (!body || at == body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<long>(n);
}

}  // namespace

H2Client::H2Client(std::uint16_t port, Protocol protocol, H2ClientOptions options) : impl_(new Impl) {
    auto& self = *impl_;
    self.wait = options.wait;
    self.protocol = protocol;
    self.goaway = &goaway_;
    self.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(self.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        error_ = "connect failed";
        return;
    }
    const int one = 1;
    ::setsockopt(self.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (protocol == Protocol::h2) {
        self.context = SSL_CTX_new(TLS_client_method());
        if (!options.trusted_ca_pem.empty()) {
            BIO* bio = BIO_new_mem_buf(options.trusted_ca_pem.data(), static_cast<int>(options.trusted_ca_pem.size()));
            X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
            X509_STORE_add_cert(SSL_CTX_get_cert_store(self.context), ca);
            X509_free(ca);
            BIO_free(bio);
            SSL_CTX_set_verify(self.context, SSL_VERIFY_PEER, nullptr);
        }
        static const unsigned char kAlpn[] = "\x02h2\x08http/1.1";
        SSL_CTX_set_alpn_protos(self.context, kAlpn, sizeof kAlpn - 1);
        self.ssl = SSL_new(self.context);
        SSL_set_fd(self.ssl, self.fd);
        SSL_set_tlsext_host_name(self.ssl, "localhost");
        SSL_set1_host(self.ssl, "localhost");
        struct timeval tv{static_cast<long>(options.wait.count() / 1000), static_cast<long>((options.wait.count() % 1000) * 1000)};
        ::setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(self.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (SSL_connect(self.ssl) != 1) {
            char text[256];
            ERR_error_string_n(ERR_get_error(), text, sizeof text);
            error_ = std::string("handshake: ") + text;
            return;
        }
        const unsigned char* chosen = nullptr;
        unsigned chosen_size = 0;
        SSL_get0_alpn_selected(self.ssl, &chosen, &chosen_size);
        if (std::string_view(reinterpret_cast<const char*>(chosen), chosen_size) != "h2") {
            error_ = "the server did not agree on h2 (ALPN '" +
                     std::string(reinterpret_cast<const char*>(chosen), chosen_size) + "')";
            return;
        }
    }
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv);
    nghttp2_session_client_new(&self.session, callbacks, &self);
    nghttp2_session_callbacks_del(callbacks);
    self.upgrade_pending = protocol == Protocol::h2c_upgrade;
}

H2Client::~H2Client() { delete impl_; }

std::vector<H2Response> H2Client::fetch_all(const std::vector<H2Request>& requests) {
    std::vector<H2Response> responses(requests.size());
    if (!connected()) {
        ADD_FAILURE() << "H2Client: " << error_;
        return responses;
    }
    auto& self = *impl_;
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                               {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
    std::size_t first = 0;
    std::string leftover;
    if (self.upgrade_pending) {
        // The first request goes as HTTP/1.1, asking for h2c; its answer
        // comes on stream 1 once the server has switched.
        self.upgrade_pending = false;
        std::uint8_t payload[64];
        const auto size = nghttp2_pack_settings_payload(payload, sizeof payload, settings, std::size(settings));
        const auto& r = requests[0];
        std::string text = r.method + " " + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " +
                           base64url({reinterpret_cast<const char*>(payload), static_cast<std::size_t>(size)}) + "\r\n";
        for (const auto& [name, value] : r.headers) text += name + ": " + value + "\r\n";
        if (!r.body.empty() || r.method == "POST" || r.method == "PUT") text += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
        text += "\r\n" + r.body;
        self.send_all(text);
        const auto deadline = Clock::now() + self.wait;
        std::string head;
        char buffer[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
            const auto n = self.receive(buffer, sizeof buffer, deadline);
            if (n <= 0) break;
            head.append(buffer, static_cast<std::size_t>(n));
        }
        const auto end = head.find("\r\n\r\n");
        if (end == std::string::npos || head.rfind("HTTP/1.1 101", 0) != 0) {
            ADD_FAILURE() << "no 101 Switching Protocols for the h2c upgrade; the server said:\n" << head;
            error_ = "no upgrade";
            return responses;
        }
        leftover = head.substr(end + 4);
        nghttp2_session_upgrade2(self.session, payload, static_cast<std::size_t>(size), r.method == "HEAD", nullptr);
        self.responses[1] = &responses[0];
        responses[0].stream_id = 1;
        ++self.open;
        first = 1;
    }
    nghttp2_submit_settings(self.session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    for (std::size_t i = first; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const std::string method = ":method", path = ":path", scheme = ":scheme", authority = ":authority";
        const std::string scheme_value = self.protocol == Protocol::h2 ? "https" : "http", host = "127.0.0.1";
        std::vector<nghttp2_nv> fields{field(method, r.method), field(path, r.path), field(scheme, scheme_value),
                                       field(authority, host)};
        std::vector<std::string> names;
        names.reserve(r.headers.size());
        for (const auto& [name, value] : r.headers) {
            names.push_back(lower(name));
            fields.push_back(field(names.back(), value));
        }
        nghttp2_data_provider provider{};
        provider.read_callback = read_request_body;
        const bool has_body = !r.body.empty();
        const auto id = nghttp2_submit_request(self.session, nullptr, fields.data(), fields.size(),
                                               has_body ? &provider : nullptr, nullptr);
        if (id < 0) {
            ADD_FAILURE() << "nghttp2_submit_request: " << nghttp2_strerror(id);
            continue;
        }
        if (has_body) self.bodies[id] = {&r.body, 0};
        self.responses[id] = &responses[i];
        responses[i].stream_id = static_cast<std::uint32_t>(id);
        ++self.open;
    }
    if (!leftover.empty())
        nghttp2_session_mem_recv(self.session, reinterpret_cast<const std::uint8_t*>(leftover.data()), leftover.size());
    if (!self.pump([&] { return self.open == 0 || self.closed; }, Clock::now() + self.wait))
        ADD_FAILURE() << "H2Client: " << self.open << " responses did not come in time";
    self.responses.clear();
    self.bodies.clear();
    self.open = 0;
    return responses;
}

H2Response H2Client::fetch(const H2Request& request) { return fetch_all({request}).front(); }

bool H2Client::closed_by_server(std::chrono::milliseconds wait) {
    auto& self = *impl_;
    self.pump([&] { return self.closed; }, Clock::now() + wait);
    return self.closed;
}

H2Response fetch(std::uint16_t port, Protocol protocol, const H2Request& request, const H2ClientOptions& options) {
    if (protocol != Protocol::http1) {
        H2Client client(port, protocol, options);
        return client.fetch(request);
    }
    std::string text = request.method + " " + request.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : request.headers) text += name + ": " + value + "\r\n";
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
        text += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    text += "\r\n" + request.body;
    H2Response out;
    const auto raw = exchange(port, text, request.method == "HEAD");
    if (!raw) return out;
    out.status = raw->status;
    for (const auto& [name, value] : raw->headers) out.headers.emplace_back(lower(name), value);
    out.body = raw->body;
    return out;
}

}  // namespace mockserve::test_support
