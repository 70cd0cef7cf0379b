#include "handler_bridge.hpp"

#include <cstdio>

namespace mockserve::http::detail {

namespace {

// The last resort when even send_error() failed.
constexpr std::string_view kPlain500 =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
    "Connection: close\r\n\r\nInternal Server Error";

std::optional<std::string> given(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

HandlerBridge::HandlerBridge(SessionHost& host, Stream& stream, ResponseWriter& writer, BodyReader& body)
    : host_(host), limits_(host.session_limits()), stream_(stream), writer_(writer), body_(body) {}

bool HandlerBridge::open(const Address& client) {
    try {
        handler_ = host_.make_handler();
    } catch (const std::exception& e) {
        host_.log(std::string("handler factory failed: ") + e.what());
    }
    if (!handler_) return false;
    handler_->attach(this);
    handler_->server = &host_.server();
    handler_->client_address = client;
    handler_->begin_request();
    open_ = true;
    return run([&] { handler_->setup(); });
}

void HandlerBridge::close() {
    if (!std::exchange(open_, false)) return;
    run([&] { handler_->finish(); });
}

void HandlerBridge::begin_request() {
    handler_->begin_request();
    abort_ = Abort::none;
    broke_off_ = false;
    response_delay_ = {};
    paced_.reset();
    bytes_sent_ = 0;
    annotation_.reset();
}

void HandlerBridge::handle_request() {
    auto& h = *handler_;
    run([&] { h.handle(); });
    if (abort_ != Abort::none || lost_) return;
    // A head the handler began but did not end is ended for it.
    if (h.has_unsent_head()) run([&] { h.end_headers(); });
    if (!writer_.started()) {
        run([&] {
            h.log_error("The handler sent no response to %r", h.requestline);
            h.send_error(500, std::nullopt, "The handler sent no response");
        });
    }
}

void HandlerBridge::refuse(const HttpError& error) {
    auto& h = *handler_;
    h.close_connection = true;
    run([&] { h.send_error(error.status, given(error.message), given(error.explain)); });
}

void HandlerBridge::on_exception(const char* what) {
    auto& h = *handler_;
    try {
        h.log_error("Exception in handler for %r: %s", h.requestline, what);
    } catch (...) {
    }
    h.close_connection = true;
    if (writer_.committed()) {
        lost_ = true;  // part of a response is out: the only honest end is to close
        broke_off_ = true;
        return;
    }
    writer_.discard();
    h.discard_unsent_head();
    try {
        h.send_error(500, std::nullopt, std::string("The handler failed: ") + what);
    } catch (...) {
        writer_.discard();
        writer_.write(kPlain500);
    }
}

// ---------------------------------------------------------------------------
// Channel: called from handler code, on the session's strand

std::ptrdiff_t HandlerBridge::read_body(char* into, std::size_t size, bool wait) {
    return body_.read(into, size, wait, stream_, limits_.io_timeout);
}

std::optional<std::uint64_t> HandlerBridge::body_unread() const { return body_.unread(); }

void HandlerBridge::write_head(ResponseHead&& head) { writer_.write_head(std::move(head)); }

void HandlerBridge::write(std::string_view bytes) {
    writer_.write(bytes);
    if (writer_.wants_flush()) {
        writer_.commit();
        send_output_now();
    }
}

void HandlerBridge::flush() {
    writer_.commit();
    send_output_now();
}

void HandlerBridge::send_output_now() {
    auto& out = writer_.output();
    if (out.empty()) return;
    const auto ec = stream_.write_all(out, limits_.io_timeout);
    bytes_sent_ += out.size();
    out.clear();
    if (ec) throw ConnectionError("writing the response: " + ec.message());
}

void HandlerBridge::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
    writer_.commit();
    const auto mode = writer_.body_mode();
    if (mode == ResponseWriter::BodyMode::none || (mode == ResponseWriter::BodyMode::chunked && count == 0))
        return send_output_now();
    // What is buffered (the head, as a rule) leaves with the file's first bytes.
    auto& out = writer_.output();
    if (mode == ResponseWriter::BodyMode::chunked) {
        char size_line[24];
        const int length = std::snprintf(size_line, sizeof size_line, "%llx\r\n", static_cast<unsigned long long>(count));
        out.append(size_line, static_cast<std::size_t>(length));
    }
    auto ec = stream_.write_file(out, fd, offset, count, limits_.io_timeout);
    bytes_sent_ += out.size();
    out.clear();
    if (!ec && mode == ResponseWriter::BodyMode::chunked) {
        ec = stream_.write_all("\r\n", limits_.io_timeout);
        bytes_sent_ += 2;
    }
    if (ec) throw ConnectionError("sending a file: " + ec.message());
    writer_.count_body(count);
    bytes_sent_ += count;
}

}  // namespace mockserve::http::detail
