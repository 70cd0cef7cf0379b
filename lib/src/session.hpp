#pragma once
// Session: one accepted connection, from its first byte to its close, in
// the shape of Beast's async server examples: do_x starts an asynchronous
// step, on_x is where it completes, every step on the session's strand and
// under one deadline. It talks to the client only through its Stream, and to
// the handler only through its HandlerBridge.
//
// The phases, in order (a keep-alive connection goes round again):
//
//   reading_head      do_read_head: HeadScanner finds the end of the head as
//                     bytes arrive; then parse_request_head, check_framing,
//                     the ProtocolDecision, the handler's parse_request()
//   sending_continue  do_send_continue: "100 Continue", when the client asked
//   reading_body      do_read_body: a small body is read ahead (BodyReader),
//                     so that the handler holds no thread waiting for it
//   handling          the handler runs (rfile and wfile block, with deadlines)
//   delaying          the response is held back on a timer (delay_response)
//   pacing            do_pace: a PacedBody's pieces, one write each, a timer
//                     between them; the last piece goes out with do_write
//   writing           do_write: what the handler left buffered; the exchange
//                     record goes to the observer just before
//   http2             the connection speaks HTTP/2 (h2 by ALPN, the h2c preface,
//                     or "Upgrade: h2c"): an Http2Connection serves it to its end
//   lingering         do_linger: after a refusal or an unread body, what the
//                     client still sends is read and dropped for a while, so
//                     that the kernel does not answer it with a reset that
//                     would destroy the response
//   closed

#include "body_reader.hpp"
#include "deadline.hpp"
#include "handler_bridge.hpp"
#include "http2_connection.hpp"
#include "request_head.hpp"
#include "response_writer.hpp"
#include "session_host.hpp"
#include "stream.hpp"

#include <mockserve/exchange.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <memory>

namespace mockserve::http::detail {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(std::shared_ptr<SessionHost> host, std::unique_ptr<Stream> stream);
    ~Session();

    void start();
    // The server is shutting down: close now if idle, else after this response.
    void on_server_shutdown();
    // Ends the connection from any thread, waking a handler blocked on it.
    void abort();

private:
    using Clock = std::chrono::steady_clock;
    enum class Phase {
        starting, reading_head, sending_continue, reading_body, handling, delaying, pacing, writing, lingering, http2,
        closed
    };

    void on_start();
    void do_read_head();
    void do_read_more_head();
    void on_read_head(const boost::system::error_code& ec, std::size_t bytes);
    void on_head();
    void do_send_continue();
    void on_send_continue(const boost::system::error_code& ec, std::size_t bytes);
    void do_read_body();
    void on_read_body(const boost::system::error_code& ec, std::size_t bytes);
    void on_read_body_rest(const boost::system::error_code& ec, std::size_t bytes);
    void do_handle();
    void refuse(const HttpError& error);
    void finish_request(bool keep_alive);
    void on_delay(const boost::system::error_code& ec);
    void do_pace();
    void on_pace_write(const boost::system::error_code& ec, std::size_t bytes);
    void on_pace_pause(const boost::system::error_code& ec);
    void do_write();
    void on_write(const boost::system::error_code& ec, std::size_t bytes);
    void do_linger();
    void on_linger(const boost::system::error_code& ec, std::size_t bytes);
    void close_now();
    // HTTP/2 takes the connection over: from the bytes buffered, or after
    // answering an "Upgrade: h2c" request with 101.
    void switch_to_http2();
    void switch_to_h2c();
    void on_http2_closed();

    // Ends a read into the input buffer: false (the failure handled) when it
    // failed or timed out.
    bool took_input(const boost::system::error_code& ec, std::size_t bytes);
    // A read or write of the client failed: a timeout inside a request is
    // answered (408); anything else ends the connection.
    void on_io_error(const boost::system::error_code& ec);
    std::string_view buffered() const;
    // The exchange record: begun when a head is complete (or refused), handed
    // to the observer once the response is final.
    void begin_exchange(Clock::time_point now);
    void report_exchange();

    const std::shared_ptr<SessionHost> host_;
    const Limits& limits_;
    const std::unique_ptr<Stream> stream_;
    Deadline deadline_;
    boost::asio::steady_timer delay_timer_;
    boost::beast::flat_buffer in_;
    HeadScanner scanner_;
    RequestHead head_;  // kept from one request to the next: its strings keep their room
    ResponseWriter writer_;
    BodyReader body_;
    HandlerBridge bridge_;

    Phase phase_ = Phase::starting;
    std::size_t requests_ = 0;
    unsigned inline_writes_ = 0;  // responses sent inline in a row
    std::size_t linger_bytes_ = 0;

    // The request in hand.
    ProtocolDecision protocol_;
    Clock::time_point request_deadline_;  // of its head, and of a body read ahead
    bool refused_ = false;     // answered with an error before any handler code ran
    bool keep_alive_ = false;  // the connection reads another request after this one
    bool unreported_ = false;  // its exchange has not been reported yet
    std::uint64_t bytes_sent_ = 0;
    // A paced body being sent: the pieces, the next one's index, and the
    // keep-alive decision that waits for its end.
    std::shared_ptr<const PacedBody> paced_;
    std::size_t next_piece_ = 0;
    bool paced_keep_alive_ = false;
    bool pacing_stopped_ = false;  // the server is shutting down: the stream ends after this piece

    Address client_;
    std::optional<std::string> h2c_settings_;  // the request in hand asked for h2c (HTTP2-Settings, decoded)
    std::shared_ptr<Http2Connection> http2_;

    const bool observed_;  // the server wants exchange records
    Exchange exchange_;
    Clock::time_point exchange_started_{};
};

}  // namespace mockserve::http::detail
