#pragma once
// H2Client: a test's HTTP/2 client on nghttp2's client session, over a real
// socket to 127.0.0.1: h2c with prior knowledge, h2c after an HTTP/1.1
// "Upgrade: h2c" request, or h2 over TLS (ALPN). Several requests may go
// out at once on one connection and come back in any order. Every wait is
// bounded, so a server bug fails a test instead of hanging it.
//
// fetch() also speaks HTTP/1.1 (Protocol::http1, through RawClient), so that
// one test body runs over every protocol: the parameterised handler tests.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::test_support {

enum class Protocol { http1, h2c, h2c_upgrade, h2 };
std::string protocol_name(Protocol protocol);

struct H2Request {
    std::string method = "GET";
    std::string path = "/";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct H2Response {
    int status = 0;  // 0: no response head came
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names (HTTP/1.1's as sent)
    std::string body;
    std::uint32_t stream_id = 0;
    std::optional<std::uint32_t> reset;  // RST_STREAM's error code, when the stream was reset
    std::vector<int> interim;            // 1xx statuses before the final one

    std::optional<std::string> header(std::string_view name) const;
};

struct H2ClientOptions {
    std::string trusted_ca_pem;  // h2: verify the server against it; empty: no verification
    std::chrono::milliseconds wait{10'000};
};

class H2Client {
public:
    // Connects and exchanges the prefaces; for h2c_upgrade the connection
    // upgrades with the first request.
    H2Client(std::uint16_t port, Protocol protocol, H2ClientOptions options = {});
    ~H2Client();
    H2Client(const H2Client&) = delete;
    H2Client& operator=(const H2Client&) = delete;

    bool connected() const { return error_.empty(); }
    const std::string& error() const { return error_; }

    // Sends every request at once, then waits for every response (or reset).
    std::vector<H2Response> fetch_all(const std::vector<H2Request>& requests);
    H2Response fetch(const H2Request& request);
    // Whether the server sent GOAWAY, and its error code.
    std::optional<std::uint32_t> goaway() const { return goaway_; }
    // Whether the connection ended (closed by the server) within `wait`.
    bool closed_by_server(std::chrono::milliseconds wait);

    struct Impl;

private:
    Impl* impl_ = nullptr;
    std::string error_;
    std::optional<std::uint32_t> goaway_;
};

// One request on a new connection of `protocol` (HTTP/1.1 with Connection: close).
H2Response fetch(std::uint16_t port, Protocol protocol, const H2Request& request, const H2ClientOptions& options = {});

}  // namespace mockserve::test_support
