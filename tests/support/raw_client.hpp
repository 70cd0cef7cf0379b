#pragma once
// RawClient: a test's HTTP client that sends exactly the bytes it is given
// and reads exactly what comes back, over a real socket to 127.0.0.1. Every
// wait is bounded, so a server bug fails a test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::test_support {

struct RawResponse {
    std::string version;
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool chunked = false;

    // The first value of a header (case-insensitive), or nothing.
    std::optional<std::string> header(std::string_view name) const;
    std::size_t header_count(std::string_view name) const;
};

class RawClient {
public:
    static constexpr std::chrono::milliseconds kWait{10'000};

    explicit RawClient(std::uint16_t port);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    void send(std::string_view bytes);
    // Reads one response; `head_request`: it has no body whatever it says.
    // Fails the test (and returns nothing) if none arrives in time.
    std::optional<RawResponse> read_response(bool head_request = false);
    // Everything up to and including `marker`, as it arrives (what comes
    // after it stays for the next read). Fails the test, and returns what
    // came, if the marker does not come in time.
    std::string read_until(std::string_view marker);
    // Everything until the server closes (or the wait ends).
    std::string read_to_close(std::chrono::milliseconds wait = kWait);
    // Whether the server closed the connection (end of stream or reset)
    // within `wait`, with no bytes first.
    bool closed_by_server(std::chrono::milliseconds wait = kWait);
    void shutdown_write();
    int fd() const { return fd_; }

private:
    // Fills buffer_ until it holds `size` bytes; false at close or timeout.
    bool fill(std::size_t size);
    bool fill_until(std::string_view marker, std::size_t& position);

    int fd_ = -1;
    std::string buffer_;
};

// Sends `request` on a new connection and reads one response.
std::optional<RawResponse> exchange(std::uint16_t port, std::string_view request, bool head_request = false);

}  // namespace mockserve::test_support
