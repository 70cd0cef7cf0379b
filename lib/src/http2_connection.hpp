#pragma once
// Http2Connection: a connection that speaks HTTP/2, from the client's
// preface (h2 by ALPN, h2c by prior knowledge, or h2c after an HTTP/1.1
// "Upgrade: h2c" request) to its end. nghttp2 does the protocol: framing,
// HPACK, flow control, stream states; this class moves bytes between it and
// the Stream, on the connection's strand, and makes one Http2Stream per
// request, whose handler runs on a pool thread.
//
// The Session that accepted the connection hands it over and keeps the
// Stream; this object keeps the Session alive for as long as it lives
// itself (its streams hold it while their handlers run), and the Session
// lets go of it once the connection has ended.
//
// Bounds, beside what nghttp2 enforces itself (at most 8 CONTINUATION
// frames per header block, 1000 queued SETTINGS/PING acknowledgements):
//   - SETTINGS_MAX_CONCURRENT_STREAMS is Limits::max_concurrent_streams, and
//     a stream reset by the client still counts while its handler runs, so
//     opening and resetting streams (rapid reset, CVE-2023-44487) never runs
//     more handlers than that; resets beyond a rate end the connection
//     (GOAWAY ENHANCE_YOUR_CALM);
//   - a header list over Limits::max_header_bytes or max_header_count is
//     answered 431; one that decodes to many times that (an HPACK bomb)
//     ends the connection;
//   - more than kControlFramesPerSecond PING or SETTINGS frames in a second
//     end the connection (GOAWAY ENHANCE_YOUR_CALM);
//   - after Limits::max_requests_per_connection streams, GOAWAY names the
//     last one (as Connection: close ends an HTTP/1.1 connection);
//   - a stream's request must be ready within Limits::request_timeout (408),
//     a response that waits longer than Limits::io_timeout for the client's
//     window is reset (zero-window stall), and an idle connection ends after
//     Limits::keep_alive_timeout with GOAWAY.

#include "session_host.hpp"
#include "stream.hpp"

#include <mockserve/address.hpp>
#include <mockserve/headers.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

struct nghttp2_session;

namespace mockserve::http::detail {

class Http2Stream;

// The HTTP/1.1 request that asked to upgrade to h2c; it becomes stream 1.
struct UpgradedRequest {
    std::string method;
    std::string target;
    Headers headers;
    std::string body;
    std::string settings;  // HTTP2-Settings, decoded
};

class Http2Connection : public std::enable_shared_from_this<Http2Connection> {
public:
    using Clock = std::chrono::steady_clock;

    Http2Connection(SessionHost& host, Stream& stream, std::shared_ptr<void> owner, Address client,
                    std::function<void()> on_closed);
    ~Http2Connection();
    Http2Connection(const Http2Connection&) = delete;
    Http2Connection& operator=(const Http2Connection&) = delete;

    // On the strand. `received`: what was read so far, from the preface on.
    void start(std::string_view received);
    // After "HTTP/1.1 101 Switching Protocols" (sent here first).
    void start_upgraded(UpgradedRequest request, std::string_view received);
    // From any thread: GOAWAY; the streams in hand finish, no new one starts.
    void shutdown();
    // From any thread: handlers blocked on this connection's streams fail now.
    void abort();

    // --- For its streams ------------------------------------------------------------
    SessionHost& host() { return host_; }
    boost::asio::any_io_executor executor() { return stream_.get_executor(); }
    // Where handlers run: the pool, off the strand.
    boost::asio::any_io_executor handler_executor();
    const Address& client() const { return client_; }
    std::shared_ptr<const TlsFacts> tls() const { return stream_.tls(); }
    bool stopping() const { return stopping_ || host_.stopping(); }
    // On the strand:
    nghttp2_session* session() { return session_; }
    void send();
    void consume(std::int32_t stream_id, std::size_t bytes);
    // GOAWAY, then the end of the connection (abort_connection() before a response).
    void go_away();
    // From any thread: one handler per stream at a time, reused within the connection.
    std::unique_ptr<BaseHTTPRequestHandler> take_handler();
    void give_back_handler(std::unique_ptr<BaseHTTPRequestHandler> handler);
    void stream_opened() { ++live_streams_; }
    void stream_released() { --live_streams_; }

    // --- nghttp2's callbacks, on the strand --------------------------------------------
    int on_begin_headers(std::int32_t stream_id);
    int on_header(std::int32_t stream_id, std::string_view name, std::string_view value);
    int on_frame_recv(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id);
    int on_data(std::int32_t stream_id, std::string_view bytes);
    int on_stream_close(std::int32_t stream_id);

private:
    void open_session();
    void do_read();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    bool receive(std::string_view bytes);
    void on_write(const boost::system::error_code& ec, std::size_t bytes);
    void start_ready_streams();
    void arm_sweep();
    void on_sweep(const boost::system::error_code& ec);
    void terminate(std::uint32_t error_code);
    void close_now();
    Http2Stream* find(std::int32_t stream_id);

    SessionHost& host_;
    const Limits& limits_;
    Stream& stream_;
    const std::shared_ptr<void> owner_;  // the Session, which owns the Stream
    const Address client_;
    std::function<void()> on_closed_;
    nghttp2_session* session_ = nullptr;
    boost::asio::steady_timer sweep_timer_;
    std::vector<char> in_;
    std::string out_;
    bool writing_ = false;
    bool reading_ = false;
    bool closed_ = false;
    std::atomic<bool> stopping_{false};
    bool draining_ = false;  // max_requests_per_connection reached: no new stream (strand only)
    std::unordered_map<std::int32_t, std::shared_ptr<Http2Stream>> streams_;
    std::vector<std::int32_t> to_start_;
    std::atomic<std::size_t> live_streams_{0};
    std::size_t requests_ = 0;
    Clock::time_point last_activity_;
    Clock::time_point control_window_start_{};
    std::size_t control_frames_ = 0;

    std::mutex handlers_mutex_;
    std::vector<std::unique_ptr<BaseHTTPRequestHandler>> idle_handlers_;
    bool handlers_closed_ = false;
};

}  // namespace mockserve::http::detail
