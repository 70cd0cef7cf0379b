#pragma once
// HandlerBridge: where the asynchronous session meets Python-style handler
// code. It owns the handler, is its channel (rfile, wfile, end_headers()),
// runs its code on the session's thread marked for the pool (a handler that
// blocks makes the pool add a thread), and applies the exception policy:
//   - ConnectionError (the client left, or stopped reading): the request is
//     lost, and the session closes;
//   - any other exception: a 500 for that request and a log line, or, when
//     part of the response is already out, a close; never beyond here.

#include "body_reader.hpp"
#include "channel.hpp"
#include "handler_code.hpp"
#include "http_error.hpp"
#include "io_pool.hpp"
#include "response_writer.hpp"
#include "session_host.hpp"
#include "stream.hpp"

#include <mockserve/address.hpp>
#include <mockserve/base_http_request_handler.hpp>

#include <any>
#include <chrono>
#include <cstdint>
#include <memory>

namespace mockserve::http::detail {

class HandlerBridge final : private Channel {
public:
    HandlerBridge(SessionHost& host, Stream& stream, ResponseWriter& writer, BodyReader& body);

    // Makes the connection's handler and runs its setup(). False if either failed.
    bool open(const Address& client);
    // Runs finish(), once, if open() succeeded.
    void close();
    BaseHTTPRequestHandler& handler() { return *handler_; }

    // A request begins: per-request state is cleared.
    void begin_request();
    // Runs handler code; false if it threw (the policy above was applied).
    template <class F>
    bool run(F&& code);
    // handle(), then what a handler left undone: its unfinished head ended,
    // a 500 when it sent no response.
    void handle_request();
    // Answers with send_error(), before any handler code ran for the request.
    void refuse(const HttpError& error);

    // What handler code asked of the connection, for the session.
    enum class Abort { none, close, reset };
    Abort abort_requested() const { return abort_; }
    // The connection cannot go on: the client went away during handler code,
    // or the handler failed with part of its response out (broke_off()).
    bool lost() const { return lost_; }
    bool broke_off() const { return broke_off_; }
    std::chrono::milliseconds take_response_delay() { return std::exchange(response_delay_, {}); }
    std::shared_ptr<const PacedBody> take_paced_body() { return std::exchange(paced_, {}); }
    // Bytes the handler's own writes sent (streaming, files); the session adds its own.
    std::uint64_t take_bytes_sent() { return std::exchange(bytes_sent_, 0); }
    std::any take_annotation() { return std::exchange(annotation_, {}); }

private:
    void on_exception(const char* what);

    // Channel
    std::ptrdiff_t read_body(char* into, std::size_t size, bool wait) override;
    std::optional<std::uint64_t> body_unread() const override;
    void write_head(ResponseHead&& head) override;
    void write(std::string_view bytes) override;
    void flush() override;
    void send_file(int fd, std::uint64_t offset, std::uint64_t count) override;
    int wait_handle() const override { return stream_.wait_handle(); }
    void delay_response(std::chrono::milliseconds delay) override { response_delay_ = delay; }
    void pace(std::shared_ptr<const PacedBody> body) override { paced_ = std::move(body); }
    void abort(bool reset) override { abort_ = reset ? Abort::reset : Abort::close; }
    void annotate(std::any note) override { annotation_ = std::move(note); }
    // Sends what the writer holds now, blocking (up to io_timeout).
    void send_output_now();

    SessionHost& host_;
    const Limits& limits_;
    Stream& stream_;
    ResponseWriter& writer_;
    BodyReader& body_;
    std::unique_ptr<BaseHTTPRequestHandler> handler_;
    bool open_ = false;
    bool lost_ = false;
    bool broke_off_ = false;
    Abort abort_ = Abort::none;
    std::chrono::milliseconds response_delay_{0};
    std::shared_ptr<const PacedBody> paced_;
    std::uint64_t bytes_sent_ = 0;
    std::any annotation_;
};

template <class F>
bool HandlerBridge::run(F&& code) {
    return run_handler_code(
        host_.pool(), code,
        [&](const char* why) {
            lost_ = true;
            try {
                handler_->log_error("Connection lost: %s", why);
            } catch (...) {
            }
        },
        [&](const char* what) { on_exception(what); });
}

}  // namespace mockserve::http::detail
