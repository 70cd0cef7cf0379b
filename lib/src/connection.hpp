#pragma once
// Connection: one accepted socket and the handler that serves it, in the
// shape of Beast's async server examples (do_x / on_x pairs on a strand).
//
//   do_read_head ─▶ on_head (parse, check framing) ─▶ [100 Continue]
//     ─▶ do_read_body (small bodies: asynchronously, before the handler)
//     ─▶ run_request (handler on this I/O thread; rfile/wfile block with deadlines)
//     ─▶ do_write_response (what the handler left buffered, asynchronously)
//     ─▶ do_read_head again, or close (lingering, so the answer is not lost to a reset)

#include "channel.hpp"
#include "chunked_decoder.hpp"
#include "framing.hpp"
#include "request_head.hpp"
#include "response_writer.hpp"
#include "stream.hpp"

#include <mockserve/exchange.hpp>
#include <mockserve/http_server.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace mockserve::http::detail {

class Connection : public std::enable_shared_from_this<Connection>, private Channel {
public:
    Connection(std::shared_ptr<HTTPServer::Impl> server, std::unique_ptr<Stream> stream);
    ~Connection();

    void start();
    // The server is shutting down: close now if idle, else after this response.
    void on_server_shutdown();
    // Ends the connection from any thread, waking a handler blocked on it.
    void abort();

private:
    using Clock = std::chrono::steady_clock;

    void on_start();
    void do_read_head();
    void do_read_more_head();
    void on_read_head(boost::system::error_code ec, std::size_t bytes);
    void on_head();
    void do_read_body();
    void on_read_fixed_body(boost::system::error_code ec, std::size_t bytes);
    void continue_chunked_body();
    void run_request();
    void refuse(const HttpError& error);
    void finish_request(bool keep_alive);
    void do_write_response();
    void on_write_response(boost::system::error_code ec, std::size_t bytes);
    void do_linger();
    void close_now();

    // Runs handler code on this thread, marked as such for the pool, with
    // its exceptions stopped here. False if it threw.
    template <class F>
    bool run_handler(F&& code);
    void on_handler_exception(const char* what);
    void reset_request();
    std::string_view buffered() const;
    void on_read_error(boost::system::error_code ec);
    // Every asynchronous step runs against a deadline. Beast's tcp_stream
    // closes the socket when its timer fires, which leaves no way to answer
    // 408; this timer only cancels the pending operation.
    void arm_deadline(Clock::time_point deadline);
    // Disarms the deadline; true if it had fired (the operation timed out).
    bool disarm_deadline();
    void start_deadline_timer(Clock::time_point expiry);

    // Channel: the handler's rfile, wfile and end_headers().
    std::ptrdiff_t read_body(char* into, std::size_t size, bool wait) override;
    void write_head(ResponseHead head) override;
    void write(std::string_view bytes) override;
    void flush() override;
    void send_file(int fd, std::uint64_t offset, std::uint64_t count) override;
    int native_handle() const override { return stream_->wait_handle(); }
    void delay_response(std::chrono::milliseconds delay) override { response_delay_ = delay; }
    void abort(bool reset) override { abort_ = reset ? Abort::reset : Abort::close; }
    void annotate(std::any note) override { exchange_.annotation = std::move(note); }
    // Hands the exchange record to the server's observer, once per request.
    void report_response();
    // The request's head is complete (or was refused before it was): the
    // exchange record starts.
    void begin_exchange();
    void send_output_now();
    std::ptrdiff_t read_chunked_body(char* into, std::size_t size, bool wait);
    // Reads from the stream into `into`: waits (io_timeout) or not; -1 if
    // not waiting and nothing has arrived. Throws ConnectionError.
    std::ptrdiff_t receive(char* into, std::size_t size, bool wait);

    std::shared_ptr<HTTPServer::Impl> server_;
    const Limits& limits_;
    const std::unique_ptr<Stream> stream_;
    boost::asio::steady_timer deadline_timer_;
    boost::asio::steady_timer delay_timer_;
    bool timed_out_ = false;
    Clock::time_point op_deadline_ = Clock::time_point::max();  // of the pending operation
    bool timer_pending_ = false;
    Clock::time_point timer_expiry_{};
    unsigned inline_writes_ = 0;
    boost::beast::flat_buffer in_;
    std::unique_ptr<BaseHTTPRequestHandler> handler_;
    HeadScanner scanner_;
    ResponseWriter writer_;

    // The request in progress.
    ProtocolDecision protocol_;
    BodyFraming framing_;
    std::uint64_t body_left_ = 0;  // Content-Length bytes not yet taken from the socket
    std::optional<ChunkedDecoder> decoder_;
    std::string body_;  // the part read ahead of the handler
    std::size_t body_read_ = 0;
    bool body_complete_ = true;
    Clock::time_point deadline_;

    std::size_t requests_ = 0;
    bool reading_head_ = false;
    bool keep_alive_ = false;
    bool lost_ = false;  // the client went away during handler code
    bool refused_ = false;  // the request was answered with an error before any handler ran
    bool handler_ready_ = false;
    bool closed_ = false;
    std::size_t linger_bytes_ = 0;
    std::chrono::milliseconds response_delay_{0};
    enum class Abort { none, close, reset };
    Abort abort_ = Abort::none;
    std::uint64_t response_bytes_ = 0;
    bool request_open_ = false;  // a request whose response has not been reported
    // The exchange record in progress; kept only when the server has an observer.
    const bool observed_;
    Exchange exchange_;
    Clock::time_point exchange_started_{};
};

}  // namespace mockserve::http::detail
