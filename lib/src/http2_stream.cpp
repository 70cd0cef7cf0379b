#include "http2_stream.hpp"

#include "handler_code.hpp"
#include "http2_connection.hpp"

#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/connection_error.hpp>
#include <mockserve/detail/text.hpp>

#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>

#include <nghttp2/nghttp2.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace mockserve::http::detail {

namespace net = boost::asio;

namespace {

// A body this large (or whole) is here before the handler starts, so that a
// small request holds no thread waiting for its body. Below the stream's
// window (Http2Connection), so the client is never stalled by it.
constexpr std::size_t kReadAhead = 128 * 1024;
// Pieces of a file read into the response, one at a time.
constexpr std::size_t kFilePiece = 64 * 1024;

std::optional<std::string> given(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

Http2Stream::Http2Stream(std::shared_ptr<Http2Connection> connection, std::int32_t id)
    : connection_(std::move(connection)),
      host_(connection_->host()),
      limits_(host_.session_limits()),
      id_(id),
      request_deadline_(Clock::now() + limits_.request_timeout),
      received_(std::chrono::system_clock::now()),
      received_at_(Clock::now()) {
    connection_->stream_opened();
}

Http2Stream::~Http2Stream() {
    for (int& fd : wake_pair_)
        if (fd >= 0) ::close(fd);
    release_handler();  // a paced stream whose pieces never started
    connection_->stream_released();
}

// ---------------------------------------------------------------------------
// The request, on the strand

void Http2Stream::add_header(std::string_view name, std::string_view value) {
    // Counted as HTTP/2 counts a header list (RFC 9113 §6.5.2): name, value, 32.
    header_bytes_ += name.size() + value.size() + 32;
    if (refusal_) return;
    if (header_bytes_ > limits_.max_header_bytes || headers_.size() >= limits_.max_header_count) {
        refusal_ = HttpError{431, {}, {}};
        headers_.clear();
        return;
    }
    if (!name.empty() && name[0] == ':') {
        if (name == ":method") method_ = value;
        else if (name == ":path") path_ = value;
        else if (name == ":authority") authority_ = value;
        else if (name == ":scheme") scheme_ = value;
        return;
    }
    if (name == "cookie") {  // split crumbs are one field again (RFC 9113 §8.2.3)
        if (!cookies_.empty()) cookies_.append("; ");
        cookies_.append(value);
        return;
    }
    if (name == "content-length") declared_body_ = parse_decimal(value);
    if (name == "expect" && iequals(value, "100-continue")) expects_continue_ = true;
    headers_.add(std::string(name), std::string(value));
}

void Http2Stream::headers_complete() {
    if (refusal_) return;
    if (!cookies_.empty()) headers_.add("Cookie", std::move(cookies_));
    if (!authority_.empty() && !headers_.contains("Host")) headers_.add("Host", authority_);
    if (declared_body_ && *declared_body_ > limits_.max_body_size) refusal_ = HttpError{413, {}, {}};
}

bool Http2Stream::add_body(std::string_view bytes) {
    body_received_ += bytes.size();
    if (refusal_) return true;  // answered already: the body is dropped
    if (body_received_ > limits_.max_body_size) return false;
    {
        std::lock_guard lock(mutex_);
        in_.append(bytes);
        if (waiting_) changed_.notify_all();
        wake_handler("b");
    }
    return true;
}

void Http2Stream::body_complete() {
    {
        std::lock_guard lock(mutex_);
        in_end_ = true;
        if (waiting_) changed_.notify_all();
        wake_handler("e");
    }
}

void Http2Stream::take_upgraded(std::string method, std::string target, Headers headers, std::string body) {
    method_ = std::move(method);
    path_ = std::move(target);
    scheme_ = "http";
    // What asked for the upgrade is HTTP/1.1's alone.
    for (auto& [name, value] : headers.fields())
        if (!is_connection_specific(name) && !iequals(name, "HTTP2-Settings")) headers_.add(name, value);
    std::lock_guard lock(mutex_);
    body_received_ = body.size();
    in_ = std::move(body);
    in_end_ = true;
}

bool Http2Stream::ready_to_start() const {
    if (started_) return false;
    if (refusal_ || expects_continue_) return true;
    std::lock_guard lock(mutex_);
    return in_end_ || in_.size() >= std::min(kReadAhead, limits_.body_buffer_size);
}

void Http2Stream::refuse(HttpError error) {
    if (!refusal_) refusal_ = std::move(error);
    start();
}

void Http2Stream::start() {
    started_ = true;
    last_progress_ = Clock::now();
    // Deferred: the handler runs on this thread once the strand's work in
    // hand is done (another thread takes it if one is free sooner).
    net::defer(connection_->handler_executor(), [self = shared_from_this()] { self->serve(); });
}

bool Http2Stream::stalled(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    // Bytes wait to go out, and have waited too long for the client's window.
    return head_submitted_ && !gone_ && out_taken_ < out_.size() && now - last_progress_ > limits_.io_timeout;
}

void Http2Stream::closed() {
    {
        std::lock_guard lock(mutex_);
        const bool all_sent = out_end_ && out_taken_ == out_.size() && head_submitted_;
        if (!all_sent) gone_ = true;
        if (waiting_) changed_.notify_all();
        if (wake_pair_[1] >= 0) {
            ::close(wake_pair_[1]);  // the handler's poll() sees the hang-up
            wake_pair_[1] = -1;
        }
    }
    if (timer_) timer_->cancel();
    if (pacing_) {  // a paced stream ends here when the client leaves first
        if (exchange_ && gone_) exchange_->end = Exchange::End::client_gone;
        deliver_exchange();
        release_handler();
    }
}

void Http2Stream::wake_handler(const char* why) {
    // Under mutex_: the handler's thread makes the pair (wait_handle) while
    // this strand writes to it.
    if (wake_pair_[1] >= 0) (void)::send(wake_pair_[1], why, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

// ---------------------------------------------------------------------------
// The handler, on a pool thread

void Http2Stream::prepare_handler() {
    handler_ = connection_->take_handler();
    auto& h = *handler_;
    h.attach(this);
    h.begin_request();
    h.command = std::move(method_);
    h.path = std::move(path_);
    h.request_version = "HTTP/2.0";
    h.requestline.reserve(h.command.size() + h.path.size() + 10);
    h.requestline.append(h.command).append(" ").append(h.path).append(" HTTP/2.0");
    h.headers = std::move(headers_);
    h.tls = connection_->tls();
    h.close_connection = false;
}

template <class F>
bool Http2Stream::run(F&& code) {
    return run_handler_code(
        host_.pool(), code,
        [&](const char* why) {
            lost_ = true;
            try {
                handler_->log_error("Stream lost: %s", why);
            } catch (...) {
            }
        },
        [&](const char* what) { on_exception(what); });
}

void Http2Stream::on_exception(const char* what) {
    auto& h = *handler_;
    try {
        h.log_error("Exception in handler for %r: %s", h.requestline, what);
    } catch (...) {
    }
    {
        std::lock_guard lock(mutex_);
        if (out_state_ == Out::streaming || out_state_ == Out::raw) {
            broke_off_ = true;  // part of a response is out: the stream is reset
            return;
        }
        out_state_ = Out::none;
        head_.reset();
        held_.clear();
    }
    h.discard_unsent_head();
    try {
        h.send_error(500, std::nullopt, std::string("The handler failed: ") + what);
    } catch (...) {
        broke_off_ = true;
    }
}

void Http2Stream::serve() {
    try {
        prepare_handler();
    } catch (const std::exception& e) {
        host_.log(std::string("handler factory failed: ") + e.what());
        {
            std::lock_guard lock(mutex_);
            ending_ = Ending::reset;
            out_end_ = true;
        }
        return dispatch_to_strand(&Http2Stream::submit);
    }
    auto& h = *handler_;
    if (refusal_) {
        const auto error = *refusal_;
        run([&] { h.send_error(error.status, given(error.message), given(error.explain)); });
    } else {
        bool accepted = true;
        if (run([&] { accepted = h.parse_request(); }) && accepted && !lost_) {
            bool proceed = true;
            if (expects_continue_) run([&] { proceed = h.handle_expect_100(); });
            if (proceed && !lost_) {
                run([&] { h.handle(); });
                if (abort_ == Exchange::End::complete && !lost_) {
                    if (h.has_unsent_head()) run([&] { h.end_headers(); });
                    bool started;
                    {
                        std::lock_guard lock(mutex_);
                        started = out_state_ != Out::none;
                    }
                    if (!started) {
                        run([&] {
                            h.log_error("The handler sent no response to %r", h.requestline);
                            h.send_error(500, std::nullopt, "The handler sent no response");
                        });
                    }
                }
            }
        }
    }
    finish_response();
}

void Http2Stream::finish_response() {
    {
        std::lock_guard lock(mutex_);
        if (lost_ || broke_off_ || abort_ == Exchange::End::reset || gone_) {
            ending_ = Ending::reset;
        } else if (abort_ == Exchange::End::closed) {
            ending_ = out_state_ == Out::streaming ? Ending::reset : Ending::goaway;
        } else if (out_state_ == Out::raw) {
            // Bytes written before any head: an HTTP/1.x response written by hand.
            if (auto split = split_raw_response(raw_)) {
                head_ = std::move(split->first);
                body_allowed_ = !head_request_ && status_has_body(head_->status);
                declared_length_.reset();
                if (body_allowed_ && !head_->content_length)
                    head_->fields.emplace_back("content-length", std::to_string(raw_.size() - split->second));
                out_ = body_allowed_ ? raw_.substr(split->second) : std::string();
                raw_.clear();
                out_state_ = Out::streaming;
            } else {
                ending_ = Ending::reset;
            }
        } else if (out_state_ == Out::held) {
            commit_locked(!paced_);
        }
        if (ending_ != Ending::eof || (paced_ && (!body_allowed_ || paced_->pieces.empty()))) paced_.reset();
        if (!paced_) {
            out_end_ = true;
            // A declared length that the body fell short of: the client must
            // not take the body for whole.
            if (ending_ == Ending::eof && declared_length_ && body_written_ < *declared_length_ && body_allowed_)
                ending_ = Ending::reset;
        }
    }
    make_exchange();
    if (!paced_) {
        deliver_exchange();  // before the last bytes leave, as over HTTP/1.1
        release_handler();
    }
    // A paced body's exchange is reported when its last piece leaves, and
    // its annotation may point into the handler: the handler stays this
    // stream's until then, or another stream would write over what the
    // observer is about to read.
    dispatch_to_strand(&Http2Stream::submit);
}

void Http2Stream::make_exchange() {
    if (!host_.observer()) return;
    auto& h = *handler_;
    auto& e = exchange_.emplace();
    e.client = connection_->client();
    e.received = received_;
    e.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - received_at_);
    e.request_line = std::move(h.requestline);
    e.method = h.command;
    e.target = h.path;
    e.version = "HTTP/2.0";
    e.stream_id = static_cast<std::uint32_t>(id_);
    e.headers = std::move(h.headers);
    e.tls = connection_->tls();
    if (refusal_) e.refusal = refusal_->message.empty() ? std::to_string(refusal_->status) : refusal_->message;
    {
        std::lock_guard lock(mutex_);
        e.status = head_ ? head_->status : 0;
        e.bytes_sent = bytes_sent_ + out_.size() - out_taken_;
    }
    e.end = abort_ != Exchange::End::complete ? abort_
          : broke_off_                        ? Exchange::End::closed
          : lost_                             ? Exchange::End::client_gone
                                              : Exchange::End::complete;
    e.annotation = std::move(annotation_);
}

void Http2Stream::deliver_exchange() {
    if (!exchange_) return;
    {
        std::lock_guard lock(mutex_);
        exchange_->bytes_sent = bytes_sent_ + out_.size() - out_taken_;
    }
    host_.observer()(std::move(*exchange_));
    exchange_.reset();
}

void Http2Stream::release_handler() {
    // The handler is done with this request; another stream may have it.
    connection_->give_back_handler(std::move(handler_));
}

void Http2Stream::post_to_strand(void (Http2Stream::*step)()) {
    // Posted: handler code may block right after (waiting for the window
    // this step opens), so the step must not wait for its thread.
    net::post(connection_->executor(), [self = shared_from_this(), step] { ((*self).*step)(); });
}

void Http2Stream::dispatch_to_strand(void (Http2Stream::*step)()) {
    // Dispatched, for the handler's last step (the job's own last call, no
    // lock held): when the connection's strand is free it runs here and now,
    // on this thread. Deferred, it waited for a turn of the io_context, and
    // each turn with work queued polls epoll first: one more system call a
    // request (perf: 1.1-1.3 epoll_wait calls per one-stream request,
    // nginx 0.1-0.3).
    net::dispatch(connection_->executor(), [self = shared_from_this(), step] { ((*self).*step)(); });
}

void Http2Stream::wait_on_timer(std::chrono::milliseconds duration) {
    // Made when first needed: most streams never wait.
    if (!timer_) timer_.emplace(connection_->executor());
    timer_->expires_after(duration);
}

// ---------------------------------------------------------------------------
// Channel: handler code, on its pool thread

template <class Ready>
void Http2Stream::wait_for(std::unique_lock<std::mutex>& lock, Ready&& ready, const char* doing) {
    waiting_ = true;
    const bool in_time = changed_.wait_for(lock, limits_.io_timeout, [&] { return gone_ || ready(); });
    waiting_ = false;
    if (gone_) throw ConnectionError(std::string(doing) + ": the stream was closed");
    if (!in_time) throw ConnectionError(std::string(doing) + ": timed out");
}

std::ptrdiff_t Http2Stream::read_body(char* into, std::size_t size, bool wait) {
    if (wake_pair_[0] >= 0) {  // the wake-ups are read here, so that a poll() on it does not spin
        char drain[64];
        while (::recv(wake_pair_[0], drain, sizeof drain, MSG_DONTWAIT) > 0) {
        }
    }
    std::unique_lock lock(mutex_);
    const auto have = [&] { return in_taken_ < in_.size() || in_end_; };
    if (!have()) {
        if (!wait) {
            if (gone_) throw ConnectionError("reading the body: the stream was closed");
            return -1;
        }
        wait_for(lock, have, "reading the body");
    }
    const auto n = std::min(size, in_.size() - in_taken_);
    std::copy_n(in_.data() + in_taken_, n, into);
    in_taken_ += n;
    if (in_taken_ == in_.size()) {
        in_.clear();
        in_taken_ = 0;
    }
    // What was read makes room in the client's window.
    const bool post = to_consume_ == 0 && n > 0;
    to_consume_ += n;
    lock.unlock();
    if (post) post_to_strand(&Http2Stream::do_consume);
    return static_cast<std::ptrdiff_t>(n);
}

std::optional<std::uint64_t> Http2Stream::body_unread() const {
    std::lock_guard lock(mutex_);
    if (in_end_) return in_.size() - in_taken_;
    if (declared_body_) return *declared_body_ - std::min(*declared_body_, body_received_ - (in_.size() - in_taken_));
    return std::nullopt;
}

void Http2Stream::write_head(ResponseHead&& head) {
    auto converted = http2_head_from_http1(head.text);
    if (!converted) throw std::invalid_argument("not a response head: " + head.text.substr(0, head.text.find('\r')));
    std::unique_lock lock(mutex_);
    if (head.status == 100 || head.status == 103) {
        if (out_state_ != Out::none) return;  // too late for an interim answer
        interim_.push_back(std::move(*converted));
        lock.unlock();
        post_to_strand(&Http2Stream::do_interim);
        return;
    }
    if (out_state_ == Out::raw) {  // a head after raw bytes: more raw bytes
        raw_.append(head.text).append("\r\n");
        return;
    }
    if (out_state_ == Out::streaming) return;  // a second final head: HTTP/2 has no place for it
    head_request_ = handler_ && handler_->command == "HEAD";
    body_allowed_ = !head_request_ && status_has_body(converted->status);
    declared_length_ = body_allowed_ ? converted->content_length : std::nullopt;
    head_ = std::move(converted);
    out_state_ = Out::held;
    held_.clear();
    body_written_ = 0;
}

void Http2Stream::commit_locked(bool whole) {
    if (out_state_ != Out::held) return;
    out_state_ = Out::streaming;
    if (whole && body_allowed_ && !declared_length_) {
        head_->fields.emplace_back("content-length", std::to_string(held_.size()));
        declared_length_ = held_.size();
    }
    out_.swap(held_);
    held_.clear();
    out_taken_ = 0;
}

void Http2Stream::write(std::string_view bytes) {
    std::unique_lock lock(mutex_);
    switch (out_state_) {
        case Out::none:
            out_state_ = Out::raw;
            [[fallthrough]];
        case Out::raw:
            raw_.append(bytes);
            return;
        case Out::held:
            if (!body_allowed_) return;
            if (declared_length_) bytes = bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), *declared_length_ - body_written_)));
            held_.append(bytes);
            body_written_ += bytes.size();
            if (held_.size() < limits_.response_buffer_size) return;
            commit_locked(false);
            lock.unlock();
            post_to_strand(&Http2Stream::submit);
            return;
        case Out::streaming:
            lock.unlock();
            return push_body(bytes);
    }
}

void Http2Stream::push_body(std::string_view bytes) {
    std::unique_lock lock(mutex_);
    if (!body_allowed_) return;
    if (declared_length_) bytes = bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), *declared_length_ - body_written_)));
    while (!bytes.empty()) {
        wait_for(lock, [&] { return out_.size() - out_taken_ < limits_.response_buffer_size; }, "writing the response");
        if (out_taken_ > 0 && out_taken_ == out_.size()) {
            out_.clear();
            out_taken_ = 0;
        }
        const auto room = limits_.response_buffer_size - (out_.size() - out_taken_);
        const auto piece = bytes.substr(0, std::min(room, bytes.size()));
        out_.append(piece);
        body_written_ += piece.size();
        bytes.remove_prefix(piece.size());
        if (std::exchange(deferred_, false)) {
            lock.unlock();
            post_to_strand(&Http2Stream::do_resume);
            lock.lock();
        }
    }
}

void Http2Stream::flush() {
    std::unique_lock lock(mutex_);
    if (out_state_ != Out::held) return;
    commit_locked(false);
    lock.unlock();
    post_to_strand(&Http2Stream::submit);
}

void Http2Stream::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
    flush();
    std::string piece;
    while (count > 0) {
        piece.resize(static_cast<std::size_t>(std::min<std::uint64_t>(count, kFilePiece)));
        const auto n = ::pread(fd, piece.data(), piece.size(), static_cast<off_t>(offset));
        if (n <= 0) throw std::runtime_error("reading the file to send failed");
        push_body(std::string_view(piece.data(), static_cast<std::size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
        count -= static_cast<std::uint64_t>(n);
    }
}

int Http2Stream::wait_handle() const {
    std::lock_guard lock(mutex_);
    if (wake_pair_[0] < 0) {
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, wake_pair_) != 0) return -1;
        // Already there: said at once.
        if (in_taken_ < in_.size() || in_end_) (void)::send(wake_pair_[1], "b", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (gone_) {
            ::close(wake_pair_[1]);
            wake_pair_[1] = -1;
        }
    }
    return wake_pair_[0];
}

// ---------------------------------------------------------------------------
// The response, on the strand

long Http2Stream::read_response(std::uint8_t* into, std::size_t length, std::uint32_t* flags) {
    std::unique_lock lock(mutex_);
    const auto n = std::min(length, out_.size() - out_taken_);
    std::copy_n(out_.data() + out_taken_, n, into);
    out_taken_ += n;
    bytes_sent_ += n;
    if (n > 0) {
        last_progress_ = Clock::now();
        if (waiting_) changed_.notify_all();
    }
    if (out_taken_ == out_.size() && out_end_) {
        if (ending_ == Ending::eof) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        } else if (n == 0) {
            // What was sent is all there is: nghttp2 resets the stream
            // (INTERNAL_ERROR), so the client cannot take the body for whole.
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
    } else if (n == 0) {
        deferred_ = true;
        return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<long>(n);
}

namespace {

long data_source(nghttp2_session*, std::int32_t, std::uint8_t* into, std::size_t length, std::uint32_t* flags,
                 nghttp2_data_source* source, void*) {
    return static_cast<Http2Stream*>(source->ptr)->read_response(into, length, flags);
}

}  // namespace

void Http2Stream::submit() {
    Ending ending;
    bool goes = false;
    {
        std::lock_guard lock(mutex_);
        ending = ending_;
        goes = head_.has_value() && !head_submitted_ && out_state_ == Out::streaming;
    }
    if (ending == Ending::goaway) return connection_->go_away();
    if (!head_submitted_ && (ending == Ending::reset && !goes)) {
        nghttp2_submit_rst_stream(connection_->session(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
        return connection_->send();
    }
    if (goes && delay_.count() > 0) {
        wait_on_timer(std::exchange(delay_, {}));
        timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) self->submit();
        });
        return;
    }
    if (goes) do_submit_head();
    if (paced_ && head_submitted_ && !std::exchange(pacing_, true)) return do_pace();
    do_resume();
}

void Http2Stream::do_submit_head() {
    std::vector<nghttp2_nv> fields;
    std::string status;
    {
        std::lock_guard lock(mutex_);
        if (head_submitted_) return;
        head_submitted_ = true;
        last_progress_ = Clock::now();
        status = std::to_string(head_->status);
        fields.reserve(head_->fields.size() + 1);
        const auto nv = [](const std::string& name, const std::string& value) {
            return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                              reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                              NGHTTP2_NV_FLAG_NONE};
        };
        static const std::string kStatus = ":status";
        fields.push_back(nv(kStatus, status));
        for (const auto& [name, value] : head_->fields) fields.push_back(nv(name, value));
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = this;
    provider.read_callback = data_source;
    // nghttp2 copies the fields; the provider's pointer lives as long as the
    // stream, which the connection holds until nghttp2 closes it.
    nghttp2_submit_response(connection_->session(), id_, fields.data(), fields.size(), body_allowed_ ? &provider : nullptr);
    connection_->send();
}

void Http2Stream::do_interim() {
    std::vector<Http2Head> heads;
    {
        std::lock_guard lock(mutex_);
        heads.swap(interim_);
    }
    for (const auto& head : heads) {
        const auto status = std::to_string(head.status);
        std::vector<nghttp2_nv> fields;
        static const std::string kStatus = ":status";
        fields.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(kStatus.data())),
                          reinterpret_cast<std::uint8_t*>(const_cast<char*>(status.data())), kStatus.size(), status.size(),
                          NGHTTP2_NV_FLAG_NONE});
        for (const auto& [name, value] : head.fields)
            fields.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                              reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                              NGHTTP2_NV_FLAG_NONE});
        nghttp2_submit_headers(connection_->session(), NGHTTP2_FLAG_NONE, id_, nullptr, fields.data(), fields.size(), nullptr);
    }
    connection_->send();
}

void Http2Stream::do_resume() {
    if (!head_submitted_) return;
    nghttp2_session_resume_data(connection_->session(), id_);
    connection_->send();
}

void Http2Stream::do_consume() {
    std::uint64_t n;
    {
        std::lock_guard lock(mutex_);
        n = std::exchange(to_consume_, 0);
    }
    if (n == 0) return;
    connection_->consume(id_, static_cast<std::size_t>(n));
}

void Http2Stream::do_pace() {
    // One piece, then a pause; the last piece ends the body (and reports the
    // exchange before it goes).
    const auto& pieces = paced_->pieces;
    const bool last = next_piece_ + 1 == pieces.size() && !(paced_->repeat && !connection_->stopping());
    {
        std::lock_guard lock(mutex_);
        if (gone_) return;
        if (out_taken_ == out_.size()) {
            out_.clear();
            out_taken_ = 0;
        }
        out_.append(pieces[next_piece_]);
        body_written_ += pieces[next_piece_].size();
    }
    next_piece_ = next_piece_ + 1 == pieces.size() ? 0 : next_piece_ + 1;
    if (last) {
        {
            std::lock_guard lock(mutex_);
            out_end_ = true;
        }
        paced_.reset();
        deliver_exchange();
        release_handler();
        do_resume();
        return;
    }
    do_resume();
    wait_on_timer(paced_->pause);
    timer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_pace_timer(ec); });
}

void Http2Stream::on_pace_timer(const boost::system::error_code& ec) {
    if (ec || !paced_) return;
    do_pace();
}

}  // namespace mockserve::http::detail
