#include "session.hpp"

#include "framing.hpp"
#include "http2_messages.hpp"

#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/detail/text.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <utility>

namespace mockserve::http::detail {

namespace net = boost::asio;

namespace {

constexpr std::size_t kReadSize = 16 * 1024;
// A closing connection reads (and drops) what the client still sends for at
// most this long and this much.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 1024 * 1024;
// Responses sent inline in a row (pipelined requests, each answered from the
// previous one's stack) before one goes through the io_context.
constexpr unsigned kMaxInlineWrites = 16;

}  // namespace

Session::Session(std::shared_ptr<SessionHost> host, std::unique_ptr<Stream> stream)
    : host_(std::move(host)),
      limits_(host_->session_limits()),
      stream_(std::move(stream)),
      deadline_(*stream_, [this] { return std::shared_ptr<void>(shared_from_this()); }),
      delay_timer_(stream_->get_executor()),
      in_(limits_.max_header_bytes + limits_.max_chunk_line + limits_.max_trailer_bytes + kReadSize),
      scanner_(limits_),
      body_(limits_, in_),
      bridge_(*host_, *stream_, writer_, body_),
      observed_(static_cast<bool>(host_->observer())) {}

Session::~Session() = default;

void Session::start() {
    net::dispatch(stream_->get_executor(), [self = shared_from_this()] { self->on_start(); });
}

void Session::on_start() {
    boost::system::error_code ec;
    const auto remote = stream_->remote_endpoint(ec);
    if (ec) return close_now();
    client_ = Address{remote.address().to_string(), remote.port()};
    if (!bridge_.open(client_)) return close_now();
    do_read_head();
}

// ---------------------------------------------------------------------------
// Reading the head

std::string_view Session::buffered() const { return {static_cast<const char*>(in_.data().data()), in_.size()}; }

void Session::do_read_head() {
    phase_ = Phase::reading_head;
    if (in_.size() == 0 && host_->stopping()) return close_now();
    if (requests_ == 0 && in_.size() > 0 && !scanner_.started() && host_->http2()) {
        // The first bytes say whether the client speaks HTTP/2: TLS agreed
        // on h2, or the client preface came on a plain connection.
        if (const auto tls = stream_->tls(); tls && tls->alpn == "h2") return switch_to_http2();
        switch (check_http2_preface(buffered())) {
            case PrefaceCheck::yes: return switch_to_http2();
            case PrefaceCheck::need_more: return do_read_more_head();
            case PrefaceCheck::no: break;
        }
    }
    // A pipelined request may already be buffered whole.
    const bool was_started = scanner_.started();
    const auto state = scanner_.scan(buffered());
    switch (state) {
        case HeadScanner::State::complete: return on_head();
        case HeadScanner::State::failed: return refuse(scanner_.error());
        case HeadScanner::State::need_more:
            // The head's deadline runs from its first byte; a head that came
            // whole gets its request's deadline in on_head(), without a clock reading here.
            if (!was_started && scanner_.started()) request_deadline_ = Clock::now() + limits_.request_timeout;
            return do_read_more_head();
    }
}

void Session::do_read_more_head() {
    // Idle between requests: the keep-alive timeout. Inside a request: the
    // deadline of the whole head, so a trickling client is cut off.
    inline_writes_ = 0;  // this read completes from the io_context: the stack starts afresh
    deadline_.arm(scanner_.started() ? request_deadline_
                                     : Clock::now() + (requests_ == 0 ? limits_.request_timeout
                                                                      : limits_.keep_alive_timeout));
    const auto room = std::min(kReadSize, in_.max_size() - in_.size());
    stream_->async_read_some(in_.prepare(room), StreamCompletion::to<&Session::on_read_head>(shared_from_this()));
}

void Session::on_read_head(const boost::system::error_code& ec, std::size_t bytes) {
    if (took_input(ec, bytes)) do_read_head();
}

bool Session::took_input(const boost::system::error_code& ec, std::size_t bytes) {
    const bool expired = deadline_.disarm();
    in_.commit(bytes);
    if (!expired && !ec) return true;
    on_io_error(expired ? net::error::timed_out : ec);
    return false;
}

void Session::on_io_error(const boost::system::error_code& ec) {
    // Inside a request (its head begun, or its body being read) a timeout
    // gets an answer; between requests, or when the client left, there is
    // nobody to answer.
    const bool inside_request = phase_ != Phase::reading_head || scanner_.started();
    if (ec == net::error::timed_out && inside_request && !host_->stopping()) return refuse(HttpError{408, {}, {}});
    close_now();
}

void Session::on_head() {
    auto& h = bridge_.handler();
    const auto extent = scanner_.extent();
    const auto head_text = buffered().substr(extent.begin, extent.end - extent.begin);
    auto refused = parse_request_head(head_text, limits_, head_);
    if (!refused) {
        h.requestline.assign(head_.request_line);
    } else {
        // What there is of a refused request line: up to its CR or LF (a
        // loop: find_first_of() searches the set once per character).
        std::size_t line_end = 0;
        while (line_end < head_text.size() && head_text[line_end] != '\r' && head_text[line_end] != '\n') ++line_end;
        h.requestline.assign(head_text.data(), line_end);
    }
    in_.consume(extent.end);
    scanner_.reset();
    ++requests_;
    unreported_ = true;
    const auto now = Clock::now();  // one reading for the exchange's start and the request's deadline
    begin_exchange(now);
    if (refused) return refuse(*refused);

    auto& head = head_;
    if (observed_) {
        exchange_.method = head.method;
        exchange_.target = head.target;
        exchange_.version = head.version;
    }
    auto framing = check_framing(head, limits_);  // before the fields move to the handler
    protocol_ = {head.method == "HEAD", head.minor >= 1, h.protocol_version >= "HTTP/1.1"};
    // The request line's parts are copied into the handler's strings, which
    // keep their room between requests (the parser assigns the head's
    // likewise): cheaper than a swap for strings this short. The header
    // fields are swapped, so that each side keeps its room.
    h.command.assign(head.method);
    h.path.assign(head.target);
    h.request_version.assign(head.version);
    std::swap(h.headers, head.headers);
    h.tls = stream_->tls();
    writer_.begin(protocol_, limits_.response_buffer_size);
    if (auto* error = std::get_if<HttpError>(&framing)) return refuse(*error);
    body_.begin(std::get<BodyFraming>(framing));
    request_deadline_ = now + limits_.request_timeout;

    if (host_->http2() && !stream_->tls()) {
        // "Upgrade: h2c" (RFC 7540 §3.2): once the body is in, the request
        // is answered over HTTP/2 as its stream 1; its handler sees it there.
        const auto upgrade = h.headers.get("Upgrade");
        const auto settings = h.headers.get("HTTP2-Settings");
        // A client that waits for 100 Continue is answered over HTTP/1.1,
        // where the handler decides on the 100; the upgrade is declined.
        const bool waits_for_continue = iequals(h.headers.get("Expect", ""), "100-continue");
        if (upgrade && settings && !waits_for_continue && h.headers.count("HTTP2-Settings") == 1 &&
            any_list_element(*upgrade, [](std::string_view token) { return iequals(token, "h2c"); })) {
            h2c_settings_ = decode_base64url(*settings);
            if (h2c_settings_) return do_read_body();
        }
    }
    bool accepted = true;
    if (!bridge_.run([&] { accepted = h.parse_request(); }) || bridge_.lost()) return close_now();
    if (!accepted) return finish_request(false);  // it answered; the body stays unread

    if (protocol_.both_http11() && iequals(h.headers.get("Expect", ""), "100-continue")) {
        bool proceed = true;
        if (!bridge_.run([&] { proceed = h.handle_expect_100(); }) || bridge_.lost()) return close_now();
        if (!proceed) return finish_request(false);  // the handler answered; the body stays unread
        if (!writer_.output().empty()) return do_send_continue();
    }
    do_read_body();
}

void Session::refuse(const HttpError& error) {
    refused_ = true;
    unreported_ = true;
    if (observed_) {
        if (exchange_started_ == Clock::time_point{}) begin_exchange(Clock::now());  // refused inside the head
        if (exchange_.version.empty()) {  // the request line itself was refused: what can be read of it
            const auto words = split_refused_request_line(bridge_.handler().requestline);
            exchange_.method = words.method;
            exchange_.target = words.target;
        }
        exchange_.refusal = error.message.empty() ? std::to_string(error.status) : error.message;
    }
    protocol_ = {false, true, bridge_.handler().protocol_version >= "HTTP/1.1"};
    writer_.begin(protocol_, limits_.response_buffer_size);
    bridge_.refuse(error);
    if (bridge_.lost()) return close_now();
    finish_request(false);
}

// ---------------------------------------------------------------------------
// 100 Continue, and the body read ahead of the handler

void Session::do_send_continue() {
    // "100 Continue" goes out before the client sends the body.
    phase_ = Phase::sending_continue;
    deadline_.arm(Clock::now() + limits_.io_timeout);
    stream_->async_write(net::buffer(writer_.output()),
                         StreamCompletion::to<&Session::on_send_continue>(shared_from_this()));
}

void Session::on_send_continue(const boost::system::error_code& ec, std::size_t bytes) {
    bytes_sent_ += bytes;
    if (deadline_.disarm() || ec) return close_now();
    writer_.output().clear();
    do_read_body();
}

void Session::do_read_body() {
    phase_ = Phase::reading_body;
    switch (body_.fill_ahead()) {
        case BodyReader::Ahead::complete:
        case BodyReader::Ahead::full:
            return do_handle();
        case BodyReader::Ahead::failed:
            return refuse(body_.error());
        case BodyReader::Ahead::need_input: {
            deadline_.arm(request_deadline_);
            const auto room = std::min(kReadSize, in_.max_size() - in_.size());
            return stream_->async_read_some(in_.prepare(room),
                                            StreamCompletion::to<&Session::on_read_body>(shared_from_this()));
        }
        case BodyReader::Ahead::read_rest:
            deadline_.arm(request_deadline_);
            return stream_->async_read(body_.ahead_rest(),
                                       StreamCompletion::to<&Session::on_read_body_rest>(shared_from_this()));
    }
}

void Session::on_read_body(const boost::system::error_code& ec, std::size_t bytes) {
    if (took_input(ec, bytes)) do_read_body();
}

void Session::on_read_body_rest(const boost::system::error_code& ec, std::size_t bytes) {
    const bool expired = deadline_.disarm();
    body_.ahead_rest_arrived(bytes);
    if (expired) return on_io_error(net::error::timed_out);
    if (ec) return on_io_error(ec);
    do_handle();
}

// ---------------------------------------------------------------------------
// The handler, and the response

void Session::do_handle() {
    if (h2c_settings_) {
        if (body_.complete()) return switch_to_h2c();
        // A body larger than the read-ahead: the upgrade is declined (the
        // server may), and the request is served over HTTP/1.1.
        h2c_settings_.reset();
        auto& h = bridge_.handler();
        bool accepted = true;
        if (!bridge_.run([&] { accepted = h.parse_request(); }) || bridge_.lost()) return close_now();
        if (!accepted) return finish_request(false);
    }
    phase_ = Phase::handling;
    bridge_.handle_request();
    if (bridge_.abort_requested() != HandlerBridge::Abort::none || bridge_.lost()) return close_now();
    finish_request(!bridge_.handler().close_connection);
}

void Session::finish_request(bool keep_alive) {
    keep_alive = keep_alive && body_.complete() && !host_->stopping() &&
                 (limits_.max_requests_per_connection == 0 || requests_ < limits_.max_requests_per_connection);
    if (auto paced = bridge_.take_paced_body()) {
        // The head goes out now, its framing decided; the body's end (and
        // so whether the connection stays) waits for the last piece. HEAD
        // and bodiless statuses have no pieces to send.
        writer_.commit(keep_alive);
        if (writer_.body_mode() != ResponseWriter::BodyMode::none && !paced->pieces.empty()) {
            paced_ = std::move(paced);
            paced_keep_alive_ = keep_alive;
            next_piece_ = 0;
            pacing_stopped_ = false;
        }
    }
    if (!paced_) keep_alive_ = writer_.finish(keep_alive);
    if (const auto delay = bridge_.take_response_delay(); delay.count() > 0) {
        phase_ = Phase::delaying;
        delay_timer_.expires_after(delay);
        return delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_delay(ec); });
    }
    paced_ ? do_pace() : do_write();
}

void Session::on_delay(const boost::system::error_code& ec) {
    if (ec) return close_now();
    paced_ ? do_pace() : do_write();
}

// ---------------------------------------------------------------------------
// A paced body

void Session::do_pace() {
    phase_ = Phase::pacing;
    const auto& pieces = paced_->pieces;
    writer_.write(pieces[next_piece_++]);
    if (next_piece_ == pieces.size()) {
        if (paced_->repeat && !pacing_stopped_ && !host_->stopping()) {
            next_piece_ = 0;
        } else {
            // The last piece: it leaves with the body's end, through
            // do_write, which reports the exchange before the bytes go.
            keep_alive_ = writer_.finish(paced_keep_alive_ && !pacing_stopped_);
            paced_.reset();
            return do_write();
        }
    }
    deadline_.arm(Clock::now() + limits_.io_timeout);
    stream_->async_write(net::buffer(writer_.output()), StreamCompletion::to<&Session::on_pace_write>(shared_from_this()));
}

void Session::on_pace_write(const boost::system::error_code& ec, std::size_t bytes) {
    const bool expired = deadline_.disarm();
    bytes_sent_ += bytes;
    writer_.output().clear();
    if (expired || ec) return close_now();  // the client left, or stopped reading
    if (pacing_stopped_) return do_pace();
    delay_timer_.expires_after(paced_->pause);
    delay_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_pace_pause(ec); });
}

void Session::on_pace_pause(const boost::system::error_code& ec) {
    // Cancelled: the connection is closing, or the server is shutting down
    // (pacing_stopped_), which ends the stream with its next piece.
    if (phase_ != Phase::pacing) return;
    if (ec && !pacing_stopped_) return close_now();
    do_pace();
}

void Session::do_write() {
    phase_ = Phase::writing;
    // Reported before the bytes leave, so that a client that has its answer
    // can count on the observer having seen it (the journal, for one).
    bytes_sent_ += writer_.output().size();
    report_exchange();
    auto& out = writer_.output();
    if (out.empty()) return on_write({}, 0);
    // Most answers fit the socket's buffer: written at once, the next
    // request's read starts without a trip through the io_context. A
    // pipelining client makes this recurse (the next head is already
    // buffered), so after a few answers in a row the rest goes the
    // asynchronous way, which posts; a read that waits ends the run.
    std::size_t sent = 0;
    if (++inline_writes_ < kMaxInlineWrites) {
        boost::system::error_code ec;
        sent = stream_->write_now(out, ec);
        if (ec) return on_write(ec, 0);
        if (sent == out.size()) return on_write({}, sent);
    }
    inline_writes_ = 0;
    deadline_.arm(Clock::now() + limits_.io_timeout);
    stream_->async_write(net::buffer(out.data() + sent, out.size() - sent),
                         StreamCompletion::to<&Session::on_write>(shared_from_this()));
}

void Session::on_write(const boost::system::error_code& ec, std::size_t) {
    const bool expired = deadline_.disarm();
    writer_.output().clear();
    if (expired || ec) return close_now();
    if (!keep_alive_) {
        // Lingering matters only when the client may still be sending (a
        // refused request, an unread body); otherwise a plain close is a FIN.
        const bool may_send_more = refused_ || !body_.complete() || stream_->has_unread_input();
        return may_send_more && !host_->stopping() ? do_linger() : close_now();
    }
    // The next request.
    bridge_.begin_request();
    body_.begin({});
    refused_ = false;
    do_read_head();
}

// ---------------------------------------------------------------------------
// The exchange record

void Session::begin_exchange(Clock::time_point now) {
    if (!observed_) return;
    exchange_started_ = now;
    exchange_.received = std::chrono::system_clock::now();
    exchange_.tls = stream_->tls();
}

void Session::report_exchange() {
    if (!std::exchange(unreported_, false)) return;
    const auto bytes = std::exchange(bytes_sent_, 0) + bridge_.take_bytes_sent();
    if (!observed_) return;
    auto& e = exchange_;
    auto& h = bridge_.handler();
    e.client = h.client_address;
    e.status = writer_.started() ? writer_.status() : 0;
    e.bytes_sent = bytes;
    const auto abort = bridge_.abort_requested();
    e.end = abort == HandlerBridge::Abort::reset ? Exchange::End::reset
          : abort == HandlerBridge::Abort::close || bridge_.broke_off() ? Exchange::End::closed
          : bridge_.lost()                       ? Exchange::End::client_gone
                                                 : Exchange::End::complete;
    e.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - exchange_started_);
    // The handler is done with this request: what it holds of it moves on,
    // swapped with the last exchange's emptied fields, so that their room
    // goes back to the handler (and from it to the next head parsed).
    e.request_line.swap(h.requestline);
    std::swap(e.headers, h.headers);
    e.annotation = bridge_.take_annotation();
    host_->observer()(std::move(e));
    // Ready for the next exchange, keeping what the strings had allocated.
    e.request_line.clear();
    e.method.clear();
    e.target.clear();
    e.version.clear();
    e.headers.clear();
    e.refusal.reset();
    e.annotation.reset();
    exchange_started_ = {};
}

// ---------------------------------------------------------------------------
// Closing

void Session::do_linger() {
    phase_ = Phase::lingering;
    stream_->shutdown_send();
    in_.clear();
    deadline_.arm(Clock::now() + kLingerTime);
    stream_->async_read_some(in_.prepare(kReadSize), StreamCompletion::to<&Session::on_linger>(shared_from_this()));
}

void Session::on_linger(const boost::system::error_code& ec, std::size_t bytes) {
    const bool expired = deadline_.disarm();
    in_.clear();
    linger_bytes_ += bytes;
    if (expired || ec || linger_bytes_ > kLingerBytes) return close_now();
    do_linger();
}

void Session::close_now() {
    if (phase_ == Phase::closed) return;
    const bool opened = phase_ != Phase::starting;
    phase_ = Phase::closed;
    if (opened) report_exchange();  // a request cut short: no status, or the one begun
    deadline_.cancel();
    delay_timer_.cancel();
    stream_->close(bridge_.abort_requested() == HandlerBridge::Abort::reset);
    bridge_.close();
    host_->session_closed(this);
}

void Session::on_server_shutdown() {
    net::post(stream_->get_executor(), [self = shared_from_this()] {
        if (self->phase_ == Phase::http2) return self->http2_->shutdown();
        const bool idle = self->phase_ == Phase::reading_head && !self->scanner_.started() && self->in_.size() == 0;
        if (idle) self->stream_->cancel();
        if (self->phase_ == Phase::pacing && !self->pacing_stopped_) {
            // A stream (an endless one, perhaps) ends now rather than hold
            // the shutdown for its grace time.
            self->pacing_stopped_ = true;
            self->delay_timer_.cancel();
        }
    });
}

void Session::abort() {
    stream_->interrupt();
    net::post(stream_->get_executor(), [self = shared_from_this()] {
        if (self->phase_ == Phase::http2) self->http2_->abort();
    });
}

// ---------------------------------------------------------------------------
// HTTP/2

void Session::switch_to_http2() {
    phase_ = Phase::http2;
    http2_ = std::make_shared<Http2Connection>(*host_, *stream_, shared_from_this(), client_, [this] { on_http2_closed(); });
    const std::string received(buffered());
    in_.consume(in_.size());
    http2_->start(received);
}

void Session::switch_to_h2c() {
    auto& h = bridge_.handler();
    UpgradedRequest request;
    request.method = std::move(h.command);
    request.target = std::move(h.path);
    request.headers = std::move(h.headers);
    request.settings = std::move(*h2c_settings_);
    h2c_settings_.reset();
    char piece[16 * 1024];
    while (const auto n = body_.read(piece, sizeof piece, false, *stream_, limits_.io_timeout)) {
        if (n < 0) break;
        request.body.append(piece, static_cast<std::size_t>(n));
    }
    // The request is stream 1's now, and reported as such.
    unreported_ = false;
    exchange_started_ = {};
    phase_ = Phase::http2;
    http2_ = std::make_shared<Http2Connection>(*host_, *stream_, shared_from_this(), client_, [this] { on_http2_closed(); });
    const std::string received(buffered());
    in_.consume(in_.size());
    http2_->start_upgraded(std::move(request), received);
}

void Session::on_http2_closed() {
    // The Http2Connection has closed the stream. It holds this session (and
    // so the Stream) while handlers of its streams still run; letting go of
    // it here, after its call returns, ends the cycle.
    net::post(stream_->get_executor(), [self = shared_from_this()] { self->http2_.reset(); });
    phase_ = Phase::closed;
    deadline_.cancel();
    delay_timer_.cancel();
    bridge_.close();
    host_->session_closed(this);
}

}  // namespace mockserve::http::detail
