#pragma once
// Http2Stream: one request of an HTTP/2 connection, served by handler code
// that does not know it is not HTTP/1.1. It is the handler's Channel (rfile,
// wfile, end_headers()) for that stream, and the nghttp2 data source of the
// stream's response.
//
// Two threads meet here, so the state they share sits behind one mutex:
//   - the connection's strand (Http2Connection) hands in what the client
//     sends (fields, body bytes, the end, a reset), and takes the
//     response's bytes out as flow control allows (read_response);
//   - a pool thread runs the handler (serve()), so that a slow stream
//     never holds back the others of its connection. Its reads wait for
//     body bytes and its writes for room (at most Limits::response_buffer_size
//     is held per stream), each at most Limits::io_timeout.
// Whatever must touch nghttp2 goes back to the strand through the connection.
//
// The response: a head held until the handler ends (it then gets an exact
// content-length) or until its body passes the buffer, as over HTTP/1.1; a
// declared content-length is held to (a short body ends in RST_STREAM).
// abort_connection(true) is RST_STREAM for this stream alone; abort_connection(false)
// after part of the response is out is RST_STREAM too (the body was cut);
// before anything was sent it is GOAWAY, the connection's end.

#include "channel.hpp"
#include "http2_messages.hpp"
#include "http_error.hpp"
#include "session_host.hpp"

#include <mockserve/exchange.hpp>
#include <mockserve/headers.hpp>

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace mockserve::http::detail {

class Http2Connection;

class Http2Stream final : public std::enable_shared_from_this<Http2Stream>, private Channel {
public:
    using Clock = std::chrono::steady_clock;

    Http2Stream(std::shared_ptr<Http2Connection> connection, std::int32_t id);
    ~Http2Stream();

    std::int32_t id() const { return id_; }

    // --- The request, on the strand ---------------------------------------------
    void add_header(std::string_view name, std::string_view value);
    // Headers done; `refusal` set when the head broke a limit.
    void headers_complete();
    // Body bytes; false when the body passes max_body_size (the stream is then reset).
    bool add_body(std::string_view bytes);
    void body_complete();
    // The request as an "Upgrade: h2c" HTTP/1.1 request brought it (stream 1).
    void take_upgraded(std::string method, std::string target, Headers headers, std::string body);
    // Whether the handler may start: the body is whole, or enough of it is
    // here to start with, or the client waits for 100 Continue.
    bool ready_to_start() const;
    bool started() const { return started_; }
    std::size_t header_bytes() const { return header_bytes_; }
    // The handler starts on a pool thread.
    void start();
    // The request took longer than request_timeout before its handler
    // could start: 408 (the handler answers it).
    bool overdue(Clock::time_point now) const { return !started_ && now > request_deadline_; }
    void refuse(HttpError error);
    // The response has waited io_timeout for the client's window: the
    // stream is reset.
    bool stalled(Clock::time_point now) const;
    // nghttp2 closed the stream (done, or reset by the client, or the
    // connection ends): a handler still running fails its next read or write.
    void closed();

    // --- The response, on the strand ----------------------------------------------
    // The DATA source: copies up to `length` bytes; sets NGHTTP2_DATA_FLAG_EOF
    // at the end; NGHTTP2_ERR_DEFERRED when the handler has not written more yet.
    long read_response(std::uint8_t* into, std::size_t length, std::uint32_t* flags);
    // Hands the handler's results to nghttp2 (head, then delays and paced pieces).
    void submit();

private:
    enum class Out { none, held, streaming, raw };
    enum class Ending { eof, reset, goaway };

    // The pool thread.
    void serve();
    template <class F>
    bool run(F&& code);
    void on_exception(const char* what);
    void prepare_handler();
    void finish_response();
    // The exchange record: made when the handler returns, handed to the
    // observer before the last bytes go (a paced body's last piece).
    void make_exchange();
    void deliver_exchange();
    // Gives the handler back to the connection once the exchange that may
    // point into it has been reported (or never will be).
    void release_handler();
    // Tells a handler waiting in poll() on wait_handle() that input came;
    // called with mutex_ held.
    void wake_handler(const char* why);
    // Moves the held head and body into the response (the head to be
    // submitted); called with mutex_ held.
    void commit_locked(bool whole);
    // Waits (with mutex_ held in `lock`) until `ready` or the client is
    // gone; throws ConnectionError for a gone client or io_timeout.
    template <class Ready>
    void wait_for(std::unique_lock<std::mutex>& lock, Ready&& ready, const char* doing);
    void push_body(std::string_view bytes);
    void post_to_strand(void (Http2Stream::*step)());
    void dispatch_to_strand(void (Http2Stream::*step)());
    void wait_on_timer(std::chrono::milliseconds duration);

    // The strand.
    void do_submit_head();
    void do_resume();
    void do_interim();
    void do_consume();
    void do_pace();
    void on_pace_timer(const boost::system::error_code& ec);

    // Channel
    std::ptrdiff_t read_body(char* into, std::size_t size, bool wait) override;
    std::optional<std::uint64_t> body_unread() const override;
    void write_head(ResponseHead&& head) override;
    void write(std::string_view bytes) override;
    void flush() override;
    void send_file(int fd, std::uint64_t offset, std::uint64_t count) override;
    int wait_handle() const override;
    void delay_response(std::chrono::milliseconds delay) override { delay_ = delay; }
    void pace(std::shared_ptr<const PacedBody> body) override { paced_ = std::move(body); }
    void abort(bool reset) override { abort_ = reset ? Exchange::End::reset : Exchange::End::closed; }
    void annotate(std::any note) override { annotation_ = std::move(note); }

    const std::shared_ptr<Http2Connection> connection_;
    SessionHost& host_;
    const Limits& limits_;
    const std::int32_t id_;
    std::optional<boost::asio::steady_timer> timer_;  // delay_response and paced pieces

    // The request as received (strand until start(), then the pool thread's).
    std::string method_, path_, authority_, scheme_;
    Headers headers_;
    std::string cookies_;
    std::size_t header_bytes_ = 0;
    std::optional<HttpError> refusal_;
    std::optional<std::uint64_t> declared_body_;
    std::uint64_t body_received_ = 0;
    bool expects_continue_ = false;
    bool started_ = false;
    Clock::time_point request_deadline_;
    SystemTime received_{};
    Clock::time_point received_at_{};

    // Shared by the strand and the handler's thread.
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool waiting_ = false;       // the handler waits on changed_
    bool gone_ = false;          // the stream is closed: reads and writes fail
    std::string in_;             // body bytes received, not yet read
    std::size_t in_taken_ = 0;
    bool in_end_ = false;
    std::uint64_t to_consume_ = 0;  // read by the handler, not yet given back to the window
    // wait_handle(): readable on new input, hung up when gone; [1] under mutex_
    mutable int wake_pair_[2] = {-1, -1};
    Out out_state_ = Out::none;
    std::optional<Http2Head> head_;      // to submit
    std::vector<Http2Head> interim_;     // 100 / 103 heads to send first
    bool body_allowed_ = true;
    bool head_request_ = false;
    std::optional<std::uint64_t> declared_length_;
    std::uint64_t body_written_ = 0;
    std::string held_;   // body kept with a held head
    std::string raw_;    // bytes written before any head
    std::string out_;    // committed body bytes for DATA frames
    std::size_t out_taken_ = 0;
    bool out_end_ = false;
    Ending ending_ = Ending::eof;
    bool deferred_ = false;       // nghttp2 waits for resume
    bool head_submitted_ = false;  // strand only
    Clock::time_point last_progress_{};
    std::uint64_t bytes_sent_ = 0;

    // What the handler asked for, applied when it returns.
    std::unique_ptr<BaseHTTPRequestHandler> handler_;
    std::chrono::milliseconds delay_{0};
    std::shared_ptr<const PacedBody> paced_;
    std::size_t next_piece_ = 0;
    bool pacing_ = false;  // strand only
    std::optional<Exchange> exchange_;
    Exchange::End abort_ = Exchange::End::complete;
    bool lost_ = false;  // the client went away during handler code
    bool broke_off_ = false;
    std::any annotation_;
};

}  // namespace mockserve::http::detail
