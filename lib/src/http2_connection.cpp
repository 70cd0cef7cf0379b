#include "http2_connection.hpp"

#include "http2_stream.hpp"

#include <mockserve/base_http_request_handler.hpp>

#include <boost/asio/post.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>

namespace mockserve::http::detail {

namespace net = boost::asio;

namespace {

constexpr std::size_t kReadSize = 16 * 1024;
// Frames are gathered up to this much before one write.
constexpr std::size_t kWriteBatch = 64 * 1024;
// Each stream's window: a request body this large may arrive before its
// handler reads it. The connection's window is given back as bytes arrive.
constexpr std::int32_t kStreamWindow = 256 * 1024;
constexpr std::int32_t kConnectionWindow = 4 * 1024 * 1024;
constexpr std::size_t kControlFramesPerSecond = 1000;
// A header list that decodes to this many times the limit is an attack,
// not a mistake (an HPACK bomb): the connection ends.
constexpr std::size_t kHeaderBombFactor = 4;
// Stream resets the client may send: a burst, and then per second.
constexpr std::uint64_t kResetBurst = 200;
constexpr std::uint64_t kResetsPerSecond = 50;

Http2Connection& self(void* user_data) { return *static_cast<Http2Connection*>(user_data); }

int on_begin_headers_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    return self(user_data).on_begin_headers(frame->hd.stream_id);
}

int on_header_cb(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_size,
                 const std::uint8_t* value, std::size_t value_size, std::uint8_t, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    return self(user_data).on_header(frame->hd.stream_id, {reinterpret_cast<const char*>(name), name_size},
                                     {reinterpret_cast<const char*>(value), value_size});
}

int on_frame_recv_cb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    return self(user_data).on_frame_recv(frame->hd.type, frame->hd.flags, frame->hd.stream_id);
}

int on_data_cb(nghttp2_session*, std::uint8_t, std::int32_t stream_id, const std::uint8_t* data, std::size_t size,
               void* user_data) {
    return self(user_data).on_data(stream_id, {reinterpret_cast<const char*>(data), size});
}

int on_stream_close_cb(nghttp2_session*, std::int32_t stream_id, std::uint32_t, void* user_data) {
    return self(user_data).on_stream_close(stream_id);
}

}  // namespace

Http2Connection::Http2Connection(SessionHost& host, Stream& stream, std::shared_ptr<void> owner, Address client,
                                 std::function<void()> on_closed)
    : host_(host),
      limits_(host.session_limits()),
      stream_(stream),
      owner_(std::move(owner)),
      client_(std::move(client)),
      on_closed_(std::move(on_closed)),
      sweep_timer_(stream.get_executor()),
      in_(kReadSize),
      last_activity_(Clock::now()) {}

Http2Connection::~Http2Connection() {
    if (session_) nghttp2_session_del(session_);
    for (auto& handler : idle_handlers_) {
        try {
            handler->finish();
        } catch (...) {
        }
    }
}

net::any_io_executor Http2Connection::handler_executor() {
    // The connection's lane, outside its strand: streams' handlers run at
    // once on the lane's threads, and stay with the connection's thread.
    auto& lane = static_cast<net::io_context&>(net::query(executor(), net::execution::context));
    return lane.get_executor();
}

void Http2Connection::open_session() {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, on_begin_headers_cb);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, on_frame_recv_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_stream_close_cb);
    nghttp2_option* options = nullptr;
    nghttp2_option_new(&options);
    // The window is given back as handlers read, so that a slow reader's
    // body waits in the client, not here.
    nghttp2_option_set_no_auto_window_update(options, 1);
    nghttp2_option_set_stream_reset_rate_limit(options, kResetBurst, kResetsPerSecond);
    nghttp2_option_set_max_continuations(options, 8);
    nghttp2_option_set_max_outbound_ack(options, 1000);
    nghttp2_option_set_max_settings(options, 32);
    nghttp2_session_server_new2(&session_, callbacks, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(callbacks);

    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, static_cast<std::uint32_t>(limits_.max_concurrent_streams)},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(limits_.max_header_bytes)},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    };
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
}

void Http2Connection::start(std::string_view received) {
    open_session();
    arm_sweep();
    if (!receive(received)) return close_now();
    start_ready_streams();
    send();
    do_read();
}

void Http2Connection::start_upgraded(UpgradedRequest request, std::string_view received) {
    open_session();
    out_ = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
    const bool head = request.method == "HEAD";
    if (nghttp2_session_upgrade2(session_, reinterpret_cast<const std::uint8_t*>(request.settings.data()),
                                 request.settings.size(), head ? 1 : 0, nullptr) != 0)
        return close_now();
    // Stream 1 is the upgraded request, its body already whole.
    auto stream = std::make_shared<Http2Stream>(shared_from_this(), 1);
    stream->take_upgraded(std::move(request.method), std::move(request.target), std::move(request.headers),
                          std::move(request.body));
    streams_.emplace(1, stream);
    ++requests_;
    to_start_.push_back(1);
    arm_sweep();
    if (!receive(received)) return close_now();
    start_ready_streams();
    send();
    do_read();
}

// ---------------------------------------------------------------------------
// Reading

void Http2Connection::do_read() {
    if (closed_ || reading_) return;
    if (!nghttp2_session_want_read(session_)) return;
    reading_ = true;
    stream_.async_read_some(net::buffer(in_), StreamCompletion::to<&Http2Connection::on_read>(shared_from_this()));
}

void Http2Connection::on_read(const boost::system::error_code& ec, std::size_t bytes) {
    reading_ = false;
    if (closed_) return;
    if (ec) return close_now();  // the client left (or the stream was closed)
    last_activity_ = Clock::now();
    if (!receive({in_.data(), bytes})) return close_now();
    start_ready_streams();
    send();
    do_read();
}

bool Http2Connection::receive(std::string_view bytes) {
    if (bytes.empty()) return true;
    const auto n = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (n < 0) {
        // A protocol error nghttp2 could not answer on a stream (a bad
        // preface, flooding): it has queued GOAWAY where it could.
        if (n != NGHTTP2_ERR_BAD_CLIENT_MAGIC) host_.log(std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
        send();
        return false;
    }
    return true;
}

void Http2Connection::start_ready_streams() {
    for (const auto id : to_start_) {
        if (const auto it = streams_.find(id); it != streams_.end() && it->second->ready_to_start()) it->second->start();
    }
    to_start_.clear();
}

// ---------------------------------------------------------------------------
// nghttp2's callbacks

int Http2Connection::on_begin_headers(std::int32_t stream_id) {
    last_activity_ = Clock::now();
    if (stopping() || draining_ || live_streams_.load() >= limits_.max_concurrent_streams) {
        // Streams reset by the client whose handlers still run count here.
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
        return 0;
    }
    auto stream = std::make_shared<Http2Stream>(shared_from_this(), stream_id);
    nghttp2_session_set_stream_user_data(session_, stream_id, stream.get());
    streams_.emplace(stream_id, std::move(stream));
    if (++requests_ == limits_.max_requests_per_connection) {
        // As an HTTP/1.1 connection's last response says Connection: close:
        // this stream is the last; the client opens a new connection for more.
        nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_NO_ERROR, nullptr, 0);
        draining_ = true;
    }
    return 0;
}

Http2Stream* Http2Connection::find(std::int32_t stream_id) {
    const auto it = streams_.find(stream_id);
    return it == streams_.end() ? nullptr : it->second.get();
}

int Http2Connection::on_header(std::int32_t stream_id, std::string_view name, std::string_view value) {
    auto* stream = find(stream_id);
    if (!stream || stream->started()) return 0;
    stream->add_header(name, value);
    return 0;
}

int Http2Connection::on_frame_recv(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id) {
    if (type == NGHTTP2_PING || type == NGHTTP2_SETTINGS) {
        const auto now = Clock::now();
        if (now - control_window_start_ > std::chrono::seconds(1)) {
            control_window_start_ = now;
            control_frames_ = 0;
        }
        if (++control_frames_ > kControlFramesPerSecond) {
            host_.log("HTTP/2: more than 1000 PING or SETTINGS frames in a second: the connection ends");
            terminate(NGHTTP2_ENHANCE_YOUR_CALM);
        }
        return 0;
    }
    auto* stream = find(stream_id);
    if (!stream) return 0;
    if (type == NGHTTP2_HEADERS && (flags & NGHTTP2_FLAG_END_HEADERS)) {
        if (!stream->started()) stream->headers_complete();
        if (stream->header_bytes() > limits_.max_header_bytes * kHeaderBombFactor) {
            host_.log("HTTP/2: a header list far over the limit (an HPACK bomb?): the connection ends");
            terminate(NGHTTP2_ENHANCE_YOUR_CALM);
            return 0;
        }
    }
    if ((type == NGHTTP2_HEADERS || type == NGHTTP2_DATA) && (flags & NGHTTP2_FLAG_END_STREAM)) stream->body_complete();
    if (type == NGHTTP2_HEADERS || type == NGHTTP2_DATA) to_start_.push_back(stream_id);
    return 0;
}

int Http2Connection::on_data(std::int32_t stream_id, std::string_view bytes) {
    // The connection's window is given back at once; the stream's as its
    // handler reads.
    nghttp2_session_consume_connection(session_, bytes.size());
    auto* stream = find(stream_id);
    if (!stream) return 0;
    if (!stream->add_body(bytes)) {
        if (!stream->started()) {
            stream->refuse(HttpError{413, {}, {}});
        } else {
            nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
        }
    }
    return 0;
}

int Http2Connection::on_stream_close(std::int32_t stream_id) {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end()) return 0;
    it->second->closed();
    streams_.erase(it);
    last_activity_ = Clock::now();
    return 0;
}

void Http2Connection::consume(std::int32_t stream_id, std::size_t bytes) {
    if (closed_ || !find(stream_id)) return;
    nghttp2_session_consume_stream(session_, stream_id, bytes);
    send();
}

// ---------------------------------------------------------------------------
// Writing

void Http2Connection::send() {
    if (closed_ || writing_) return;
    while (out_.size() < kWriteBatch) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) return close_now();
        if (n == 0) break;
        out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    if (out_.empty()) {
        if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) close_now();
        return;
    }
    writing_ = true;
    stream_.async_write(net::buffer(out_), StreamCompletion::to<&Http2Connection::on_write>(shared_from_this()));
}

void Http2Connection::on_write(const boost::system::error_code& ec, std::size_t) {
    writing_ = false;
    out_.clear();
    if (closed_) return;
    if (ec) return close_now();
    last_activity_ = Clock::now();
    send();
    do_read();
}

// ---------------------------------------------------------------------------
// Time, and the end

void Http2Connection::arm_sweep() {
    const auto shortest = std::min({limits_.request_timeout, limits_.io_timeout, limits_.keep_alive_timeout});
    const auto tick = std::clamp<std::chrono::milliseconds>(shortest / 4, std::chrono::milliseconds(10),
                                                            std::chrono::milliseconds(1000));
    sweep_timer_.expires_after(tick);
    sweep_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->on_sweep(ec); });
}

void Http2Connection::on_sweep(const boost::system::error_code& ec) {
    if (ec || closed_) return;
    const auto now = Clock::now();
    for (auto& [id, stream] : streams_) {
        if (stream->overdue(now)) {
            stream->refuse(HttpError{408, {}, {}});
        } else if (stream->stalled(now)) {
            nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
        }
    }
    if (streams_.empty() && live_streams_.load() == 0) {
        const auto idle_for = requests_ == 0 ? limits_.request_timeout : limits_.keep_alive_timeout;
        if (stopping() || draining_ || now - last_activity_ > idle_for) {
            // Said politely: the client knows no stream of its was lost.
            nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
        }
    }
    send();
    if (!closed_) arm_sweep();
}

void Http2Connection::terminate(std::uint32_t error_code) {
    nghttp2_session_terminate_session(session_, error_code);
}

void Http2Connection::go_away() {
    if (closed_) return;
    nghttp2_session_terminate_session(session_, NGHTTP2_INTERNAL_ERROR);
    send();
}

void Http2Connection::shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        if (self->closed_ || self->stopping_.exchange(true)) return;
        // No new stream starts; those in hand finish (the sweep ends the
        // connection once they have).
        nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(self->session_),
                              NGHTTP2_NO_ERROR, nullptr, 0);
        self->send();
    });
}

void Http2Connection::abort() {
    stream_.interrupt();
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
}

void Http2Connection::close_now() {
    if (closed_) return;
    closed_ = true;
    sweep_timer_.cancel();
    for (auto& [id, stream] : streams_) stream->closed();
    streams_.clear();
    stream_.close(false);
    {
        std::lock_guard lock(handlers_mutex_);
        handlers_closed_ = true;
    }
    // The Session (and with it the Stream) lives on while streams whose
    // handlers still run hold this connection: they post their ends here.
    if (auto done = std::exchange(on_closed_, {})) done();
}

std::unique_ptr<BaseHTTPRequestHandler> Http2Connection::take_handler() {
    {
        std::lock_guard lock(handlers_mutex_);
        if (!idle_handlers_.empty()) {
            auto handler = std::move(idle_handlers_.back());
            idle_handlers_.pop_back();
            return handler;
        }
    }
    auto handler = host_.make_handler();
    if (!handler) throw std::runtime_error("the handler factory made no handler");
    handler->server = &host_.server();
    handler->client_address = client_;
    handler->setup();
    return handler;
}

void Http2Connection::give_back_handler(std::unique_ptr<BaseHTTPRequestHandler> handler) {
    if (!handler) return;
    {
        std::lock_guard lock(handlers_mutex_);
        if (!handlers_closed_) {
            idle_handlers_.push_back(std::move(handler));
            return;
        }
    }
    try {
        handler->finish();
    } catch (...) {
    }
}

}  // namespace mockserve::http::detail
