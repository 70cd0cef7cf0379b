#include "connection.hpp"

#include "server_impl.hpp"
#include <mockserve/detail/text.hpp>

#include <mockserve/base_http_request_handler.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstring>

namespace mockserve::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

constexpr std::size_t kReadSize = 16 * 1024;
// A closing connection reads (and drops) what the client still sends for at
// most this long and this much, so that the kernel does not answer the
// unread bytes with a reset that destroys the response before it is read.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 1024 * 1024;
// Responses sent inline in a row (pipelined requests, each answered from the
// previous one's stack) before one goes through the io_context.
constexpr unsigned kMaxInlineWrites = 16;

// The last resort when even send_error() failed.
constexpr std::string_view kPlain500 =
    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n"
    "Connection: close\r\n\r\nInternal Server Error";

}  // namespace

Connection::Connection(std::shared_ptr<HTTPServer::Impl> server, std::unique_ptr<Stream> stream)
    : server_(std::move(server)),
      limits_(server_->limits),
      stream_(std::move(stream)),
      deadline_timer_(stream_->get_executor()),
      delay_timer_(stream_->get_executor()),
      in_(limits_.max_header_bytes + limits_.max_chunk_line + limits_.max_trailer_bytes + kReadSize),
      scanner_(limits_),
      observed_(static_cast<bool>(server_->observer)) {}

Connection::~Connection() = default;

void Connection::start() {
    net::dispatch(stream_->get_executor(), [self = shared_from_this()] { self->on_start(); });
}

void Connection::on_start() {
    boost::system::error_code ec;
    const auto remote = stream_->remote_endpoint(ec);
    if (ec) return close_now();

    try {
        handler_ = server_->factory();
    } catch (const std::exception& e) {
        server_->log(std::string("handler factory failed: ") + e.what());
    }
    if (!handler_) return close_now();
    handler_->attach(this);
    handler_->server = &server_->owner;
    handler_->client_address = Address{remote.address().to_string(), remote.port()};
    handler_ready_ = true;
    handler_->begin_request();
    if (!run_handler([&] { handler_->setup(); })) return close_now();
    do_read_head();
}

// ---------------------------------------------------------------------------
// Reading the head

std::string_view Connection::buffered() const {
    return {static_cast<const char*>(in_.data().data()), in_.size()};
}

void Connection::do_read_head() {
    reading_head_ = true;
    if (in_.size() == 0 && server_->stopping()) return close_now();
    // A pipelined request may already be buffered whole.
    const bool was_started = scanner_.started();
    const auto state = scanner_.scan(buffered());
    if (!was_started && scanner_.started()) deadline_ = Clock::now() + limits_.request_timeout;
    switch (state) {
        case HeadScanner::State::complete: return on_head();
        case HeadScanner::State::failed: return refuse(scanner_.error());
        case HeadScanner::State::need_more: return do_read_more_head();
    }
}

void Connection::do_read_more_head() {
    // Idle between requests: the keep-alive timeout. Inside a request: the
    // deadline of the whole head, so a trickling client is cut off.
    inline_writes_ = 0;  // this read completes from the io_context: the stack starts afresh
    arm_deadline(scanner_.started() ? deadline_
                                    : Clock::now() + (requests_ == 0 ? limits_.request_timeout
                                                                     : limits_.keep_alive_timeout));
    const auto room = std::min(kReadSize, in_.max_size() - in_.size());
    stream_->async_read_some(in_.prepare(room), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        self->on_read_head(ec, n);
    });
}

void Connection::on_read_head(boost::system::error_code ec, std::size_t bytes) {
    if (disarm_deadline()) ec = net::error::timed_out;
    in_.commit(bytes);
    if (ec) return on_read_error(ec);
    do_read_head();
}

void Connection::on_read_error(boost::system::error_code ec) {
    // A timeout inside a request gets an answer; between requests, or when
    // the client left, there is nobody to answer.
    if (ec == net::error::timed_out && scanner_.started() && !server_->stopping())
        return refuse(HttpError{408, {}, {}});
    close_now();
}

void Connection::on_head() {
    reading_head_ = false;
    const auto extent = scanner_.extent();
    const auto head_text = buffered().substr(extent.begin, extent.end - extent.begin);
    handler_->requestline = std::string(head_text.substr(0, head_text.find_first_of("\r\n")));
    auto parsed = parse_request_head(head_text, limits_);
    in_.consume(extent.end);
    scanner_.reset();
    ++requests_;
    request_open_ = true;
    begin_exchange();
    if (auto* error = std::get_if<HttpError>(&parsed)) return refuse(*error);

    auto& head = std::get<RequestHead>(parsed);
    auto& h = *handler_;
    if (observed_) {
        exchange_.method = head.method;
        exchange_.target = head.target;
        exchange_.version = head.version;
    }
    auto framing = check_framing(head, limits_);  // before the fields move to the handler
    protocol_ = {head.method == "HEAD", head.minor >= 1, h.protocol_version >= "HTTP/1.1"};
    h.command = std::move(head.method);
    h.path = std::move(head.target);
    h.request_version = std::move(head.version);
    h.headers = std::move(head.headers);
    writer_.begin(protocol_, limits_.response_buffer_size);
    if (auto* error = std::get_if<HttpError>(&framing)) return refuse(*error);
    framing_ = std::get<BodyFraming>(framing);
    body_complete_ = framing_.kind == BodyFraming::Kind::none;
    deadline_ = Clock::now() + limits_.request_timeout;

    bool accepted = true;
    if (!run_handler([&] { accepted = h.parse_request(); }) || lost_) return close_now();
    if (!accepted) return finish_request(false);  // it answered; the body stays unread

    if (protocol_.both_http11() && iequals(h.headers.get("Expect", ""), "100-continue")) {
        bool proceed = true;
        if (!run_handler([&] { proceed = handler_->handle_expect_100(); }) || lost_) return close_now();
        if (!proceed) return finish_request(false);  // the handler answered; the body stays unread
        if (!writer_.output().empty()) {
            // "100 Continue" goes out before the client sends the body.
            arm_deadline(Clock::now() + limits_.io_timeout);
            stream_->async_write(net::buffer(writer_.output()),
                                 [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                     self->response_bytes_ += n;
                                     if (self->disarm_deadline() || ec) return self->close_now();
                                     self->writer_.output().clear();
                                     self->do_read_body();
                                 });
            return;
        }
    }
    do_read_body();
}

void Connection::refuse(const HttpError& error) {
    reading_head_ = false;
    refused_ = true;
    request_open_ = true;
    if (observed_) {
        if (exchange_started_ == Clock::time_point{}) begin_exchange();  // refused inside the head
        if (exchange_.version.empty()) {  // the request line itself was refused: what can be read of it
            const auto words = split_refused_request_line(exchange_.request_line);
            exchange_.method = words.method;
            exchange_.target = words.target;
        }
        exchange_.refusal = error.message.empty() ? std::to_string(error.status) : error.message;
    }
    auto& h = *handler_;
    h.close_connection = true;
    protocol_ = {false, true, h.protocol_version >= "HTTP/1.1"};
    writer_.begin(protocol_, limits_.response_buffer_size);
    run_handler([&] {
        h.send_error(error.status, error.message.empty() ? std::nullopt : std::optional<std::string>(error.message),
                     error.explain.empty() ? std::nullopt : std::optional<std::string>(error.explain));
    });
    if (lost_) return close_now();
    finish_request(false);
}

// ---------------------------------------------------------------------------
// Reading the body ahead of the handler

void Connection::do_read_body() {
    body_.clear();
    body_read_ = 0;
    switch (framing_.kind) {
        case BodyFraming::Kind::none:
            return run_request();
        case BodyFraming::Kind::length: {
            body_left_ = framing_.length;
            if (framing_.length > limits_.body_buffer_size) return run_request();  // rfile streams it
            const auto length = static_cast<std::size_t>(framing_.length);
            const auto take = std::min(length, in_.size());
            body_.assign(static_cast<const char*>(in_.data().data()), take);
            in_.consume(take);
            body_left_ -= take;
            if (body_left_ == 0) {
                body_complete_ = true;
                return run_request();
            }
            body_.resize(length);
            arm_deadline(deadline_);
            stream_->async_read(net::buffer(body_.data() + take, length - take),
                                [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                    self->on_read_fixed_body(ec, n);
                                });
            return;
        }
        case BodyFraming::Kind::chunked:
            decoder_.emplace(limits_);
            return continue_chunked_body();
    }
}

void Connection::on_read_fixed_body(boost::system::error_code ec, std::size_t bytes) {
    if (disarm_deadline()) ec = net::error::timed_out;
    body_left_ -= bytes;
    if (ec) {
        if (ec == net::error::timed_out) return refuse(HttpError{408, {}, {}});
        return close_now();
    }
    body_complete_ = true;
    run_request();
}

void Connection::continue_chunked_body() {
    while (true) {
        if (body_.size() >= limits_.body_buffer_size) return run_request();  // rfile decodes the rest
        const auto old_size = body_.size();
        const auto room = std::min(kReadSize * 4, limits_.body_buffer_size - old_size);
        body_.resize(old_size + room);
        const auto step = decoder_->decode(buffered(), body_.data() + old_size, room);
        body_.resize(old_size + step.produced);
        in_.consume(step.consumed);
        if (decoder_->failed()) return refuse(decoder_->error());
        if (decoder_->done()) {
            body_complete_ = true;
            return run_request();
        }
        if (decoder_->needs_input()) break;
    }
    arm_deadline(deadline_);
    const auto room = std::min(kReadSize, in_.max_size() - in_.size());
    stream_->async_read_some(in_.prepare(room), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (self->disarm_deadline()) ec = net::error::timed_out;
        self->in_.commit(n);
        if (ec) {
            if (ec == net::error::timed_out) return self->refuse(HttpError{408, {}, {}});
            return self->close_now();
        }
        self->continue_chunked_body();
    });
}

// ---------------------------------------------------------------------------
// The handler

template <class F>
bool Connection::run_handler(F&& code) {
    IoPool::HandlerScope scope(server_->pool);
    try {
        code();
        return true;
    } catch (const ConnectionError& e) {
        lost_ = true;
        try {
            handler_->log_error("Connection lost: %s", e.what());
        } catch (...) {
        }
    } catch (const std::exception& e) {
        on_handler_exception(e.what());
    } catch (...) {
        on_handler_exception("an exception that is not a std::exception");
    }
    return false;
}

void Connection::on_handler_exception(const char* what) {
    auto& h = *handler_;
    try {
        h.log_error("Exception in handler for %r: %s", h.requestline, what);
    } catch (...) {
    }
    h.close_connection = true;
    if (writer_.committed()) {
        lost_ = true;  // part of a response is out: the only honest end is to close
        return;
    }
    writer_.discard();
    h.headers_buffer_.clear();
    try {
        h.send_error(500, std::nullopt, std::string("The handler failed: ") + what);
    } catch (...) {
        writer_.discard();
        writer_.write(kPlain500);
    }
}

void Connection::run_request() {
    auto& h = *handler_;
    run_handler([&] { h.handle(); });
    if (abort_ != Abort::none) return close_now();
    if (lost_) return close_now();
    // A head the handler began but did not end is ended for it.
    if (!h.headers_buffer_.empty()) run_handler([&] { h.end_headers(); });
    if (!writer_.started()) {
        run_handler([&] {
            h.log_error("The handler sent no response to %r", h.requestline);
            h.send_error(500, std::nullopt, "The handler sent no response");
        });
    }
    if (lost_) return close_now();
    finish_request(!h.close_connection);
}

void Connection::finish_request(bool keep_alive) {
    keep_alive = keep_alive && body_complete_ && !server_->stopping() &&
                 (limits_.max_requests_per_connection == 0 || requests_ < limits_.max_requests_per_connection);
    keep_alive_ = writer_.finish(keep_alive);
    if (response_delay_.count() > 0) {
        delay_timer_.expires_after(std::exchange(response_delay_, std::chrono::milliseconds(0)));
        delay_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec) return self->close_now();
            self->do_write_response();
        });
        return;
    }
    do_write_response();
}

void Connection::do_write_response() {
    // Reported before the bytes leave, so that a client that has its answer
    // can count on the handler having heard of it (the journal, for one).
    response_bytes_ += writer_.output().size();
    report_response();
    auto& out = writer_.output();
    if (out.empty()) return on_write_response({}, 0);
    // Most answers fit the socket's buffer: one send() now, and the next
    // request's read starts without a trip through the io_context. A
    // pipelining client makes this recurse (the next head is already
    // buffered), so after a few answers in a row the rest goes the
    // asynchronous way, which posts; a read that waits ends the run.
    std::size_t sent = 0;
    if (++inline_writes_ < kMaxInlineWrites) {
        boost::system::error_code ec;
        sent = stream_->write_now(out, ec);
        if (ec) return on_write_response(ec, 0);
        if (sent == out.size()) return on_write_response({}, sent);
    }
    inline_writes_ = 0;
    arm_deadline(Clock::now() + limits_.io_timeout);
    stream_->async_write(net::buffer(out.data() + sent, out.size() - sent),
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                             if (self->disarm_deadline()) ec = net::error::timed_out;
                             self->on_write_response(ec, n);
                         });
}

void Connection::on_write_response(boost::system::error_code ec, std::size_t) {
    writer_.output().clear();
    if (ec) return close_now();
    if (!keep_alive_) {
        // Lingering matters only when the client may still be sending (a
        // refused request, an unread body); otherwise a plain close is a FIN.
        const bool may_send_more = refused_ || !body_complete_ || stream_->has_unread_input();
        return may_send_more && !server_->stopping() ? do_linger() : close_now();
    }
    reset_request();
    do_read_head();
}

void Connection::begin_exchange() {
    if (!observed_) return;
    exchange_started_ = Clock::now();
    exchange_.received = std::chrono::system_clock::now();
    exchange_.request_line = handler_->requestline;
}

void Connection::report_response() {
    if (!request_open_) return;
    request_open_ = false;
    const auto bytes = std::exchange(response_bytes_, 0);
    if (!observed_) return;
    auto& e = exchange_;
    e.client = handler_->client_address;
    e.status = writer_.started() ? writer_.status() : 0;
    e.bytes_sent = bytes;
    e.end = abort_ == Abort::reset ? Exchange::End::reset
          : abort_ == Abort::close ? Exchange::End::closed
          : lost_                  ? Exchange::End::client_gone
                                   : Exchange::End::complete;
    e.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchange_started_);
    e.headers = std::move(handler_->headers);
    server_->observer(std::move(e));
    e = Exchange{};
    exchange_started_ = {};
}

void Connection::reset_request() {
    handler_->begin_request();
    abort_ = Abort::none;
    framing_ = {};
    decoder_.reset();
    body_.clear();
    body_.shrink_to_fit();
    body_read_ = 0;
    body_left_ = 0;
    body_complete_ = true;
}

// ---------------------------------------------------------------------------
// Deadlines

void Connection::arm_deadline(Clock::time_point deadline) {
    // Arming and cancelling an Asio timer for every read and write costs more
    // than the read or write; the timer is instead left running and, when it
    // fires early, set again for the deadline of the operation then pending.
    timed_out_ = false;
    op_deadline_ = deadline;
    if (timer_pending_ && timer_expiry_ <= deadline) return;
    start_deadline_timer(deadline);
}

void Connection::start_deadline_timer(Clock::time_point expiry) {
    timer_pending_ = true;
    timer_expiry_ = expiry;
    deadline_timer_.expires_at(expiry);  // cancels a wait in progress: its handler sees operation_aborted
    deadline_timer_.async_wait([self = shared_from_this(), expiry](boost::system::error_code ec) {
        if (ec || self->timer_expiry_ != expiry) return;  // replaced by a nearer deadline, or closing
        self->timer_pending_ = false;
        if (self->op_deadline_ == Clock::time_point::max()) return;  // nothing pending: stay idle
        if (Clock::now() < self->op_deadline_) return self->start_deadline_timer(self->op_deadline_);
        self->timed_out_ = true;
        self->stream_->cancel();
    });
}

bool Connection::disarm_deadline() {
    op_deadline_ = Clock::time_point::max();
    return timed_out_;
}

// ---------------------------------------------------------------------------
// Closing

void Connection::do_linger() {
    stream_->shutdown_send();
    in_.clear();
    arm_deadline(Clock::now() + kLingerTime);
    stream_->async_read_some(in_.prepare(kReadSize), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
        if (self->disarm_deadline()) ec = net::error::timed_out;
        self->in_.clear();
        self->linger_bytes_ += n;
        if (ec || self->linger_bytes_ > kLingerBytes) return self->close_now();
        self->do_linger();
    });
}

void Connection::close_now() {
    if (closed_) return;
    closed_ = true;
    if (handler_ready_) report_response();  // a request cut short: no status, or the one begun
    deadline_timer_.cancel();
    delay_timer_.cancel();
    stream_->close(abort_ == Abort::reset);
    if (handler_ready_) run_handler([&] { handler_->finish(); });
    server_->connection_closed(this);
}

void Connection::on_server_shutdown() {
    net::post(stream_->get_executor(), [self = shared_from_this()] {
        if (self->reading_head_ && !self->scanner_.started() && self->in_.size() == 0) self->stream_->cancel();
    });
}

void Connection::abort() { stream_->interrupt(); }

// ---------------------------------------------------------------------------
// Channel: called from handler code, on this connection's strand

std::ptrdiff_t Connection::read_body(char* into, std::size_t size, bool wait) {
    if (size == 0) return 0;
    if (body_read_ < body_.size()) {
        const auto n = std::min(size, body_.size() - body_read_);
        std::memcpy(into, body_.data() + body_read_, n);
        body_read_ += n;
        return static_cast<std::ptrdiff_t>(n);
    }
    if (body_complete_) return 0;
    if (decoder_) return read_chunked_body(into, size, wait);

    // The rest of a Content-Length body larger than the read-ahead.
    if (body_left_ == 0) {
        body_complete_ = true;
        return 0;
    }
    std::ptrdiff_t n = 0;
    if (in_.size() > 0) {
        n = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>({size, body_left_, in_.size()}));
        std::memcpy(into, in_.data().data(), static_cast<std::size_t>(n));
        in_.consume(static_cast<std::size_t>(n));
    } else {
        n = receive(into, static_cast<std::size_t>(std::min<std::uint64_t>(size, body_left_)), wait);
        if (n < 0) return n;
    }
    body_left_ -= static_cast<std::uint64_t>(n);
    if (body_left_ == 0) body_complete_ = true;
    return n;
}

std::ptrdiff_t Connection::read_chunked_body(char* into, std::size_t size, bool wait) {
    while (true) {
        const auto step = decoder_->decode(buffered(), into, size);
        in_.consume(step.consumed);
        if (decoder_->failed()) throw ConnectionError("malformed chunked body: " + decoder_->error().message);
        if (decoder_->done()) body_complete_ = true;
        if (step.produced > 0 || decoder_->done()) return static_cast<std::ptrdiff_t>(step.produced);
        if (in_.size() >= in_.max_size()) throw ConnectionError("chunked body line too long");
        auto buffer = in_.prepare(std::min(kReadSize, in_.max_size() - in_.size()));
        const auto n = receive(static_cast<char*>(buffer.data()), buffer.size(), wait);
        if (n < 0) return n;
        in_.commit(static_cast<std::size_t>(n));
    }
}

std::ptrdiff_t Connection::receive(char* into, std::size_t size, bool wait) {
    std::error_code ec;
    const auto n = stream_->read_some(into, size, wait ? limits_.io_timeout : std::chrono::milliseconds(0), ec);
    if (!wait && ec == std::errc::timed_out) return -1;
    if (ec) throw ConnectionError("reading the request body: " + ec.message());
    if (n == 0) throw ConnectionError("the client closed the connection before the end of the body");
    return static_cast<std::ptrdiff_t>(n);
}

void Connection::write_head(ResponseHead head) { writer_.write_head(std::move(head)); }

void Connection::write(std::string_view bytes) {
    writer_.write(bytes);
    if (writer_.wants_flush()) {
        writer_.commit();
        send_output_now();
    }
}

void Connection::flush() {
    writer_.commit();
    send_output_now();
}

void Connection::send_output_now() {
    auto& out = writer_.output();
    if (out.empty()) return;
    const auto ec = stream_->write_all(out, limits_.io_timeout);
    response_bytes_ += out.size();
    out.clear();
    if (ec) throw ConnectionError("writing the response: " + ec.message());
}

void Connection::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
    flush();
    std::error_code ec;
    switch (writer_.body_mode()) {
        case ResponseWriter::BodyMode::none:
            return;
        case ResponseWriter::BodyMode::identity:
            ec = stream_->write_file(fd, offset, count, limits_.io_timeout);
            break;
        case ResponseWriter::BodyMode::chunked: {
            if (count == 0) return;
            char size_line[24];
            const int length = std::snprintf(size_line, sizeof size_line, "%llx\r\n",
                                             static_cast<unsigned long long>(count));
            ec = stream_->write_all(std::string_view(size_line, static_cast<std::size_t>(length)), limits_.io_timeout);
            if (!ec) ec = stream_->write_file(fd, offset, count, limits_.io_timeout);
            if (!ec) ec = stream_->write_all("\r\n", limits_.io_timeout);
            break;
        }
    }
    if (ec) throw ConnectionError("sending a file: " + ec.message());
    writer_.count_body(count);
    response_bytes_ += count;
}

}  // namespace mockserve::http::detail
