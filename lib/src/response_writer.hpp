#pragma once
// ResponseWriter: turns what a handler sends (a head from end_headers(), body
// bytes from wfile) into correctly framed bytes for the socket.
//
// Python leaves framing to the handler; a handler that forgets
// Content-Length on HTTP/1.1 leaves its client waiting. Here a final head is
// held until the body's size is known or the buffer fills:
//   - the handler ends within the buffer: Content-Length is added;
//   - the buffer fills or the handler flushes: chunked encoding is added for
//     an HTTP/1.1 exchange; otherwise the body runs to the connection's close;
//   - HEAD, 1xx, 204, 205 and 304 never carry a body: body bytes are dropped,
//     and no Content-Length is added;
//   - 100 and 103 are interim: they go out at once, and a final head follows;
//   - a declared Content-Length is trusted, and held to: bytes past it are
//     dropped, and a short body closes the connection;
//   - bytes written before any head go out verbatim (Python's raw wfile),
//     and the connection closes after them.
// Connection: close (or keep-alive for an HTTP/1.0 client) is added when the
// server's decision differs from what the handler said.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mockserve::http::detail {

struct ResponseHead {
    std::string text;  // status line and fields, each ending in CRLF, no blank line
    int status = 0;
    bool has_length = false;
    std::uint64_t length = 0;
    bool chunked = false;            // the handler sent Transfer-Encoding itself
    bool connection_field = false;   // the handler sent a Connection field
};

// What the versions and the method of one request allow, decided once when
// its head is parsed.
struct ProtocolDecision {
    bool head_method = false;    // the request was HEAD: no body in the answer
    bool client_http11 = false;  // the request was HTTP/1.1 (or 1.x above)
    bool server_http11 = false;  // the handler's protocol_version is HTTP/1.1
    // Both sides speak HTTP/1.1: chunked answers, 100 Continue, keep-alive by default.
    bool both_http11() const { return client_http11 && server_http11; }
};

class ResponseWriter {
public:
    enum class BodyMode { none, identity, chunked };

    void begin(ProtocolDecision protocol, std::size_t buffer_limit);
    // Takes the head, leaving the one it held before in `head` (whose text's
    // room the caller may reuse for the next).
    void write_head(ResponseHead&& head);
    void write(std::string_view body);
    // Decides the framing of a held head so that bytes can go out now. With
    // `keep_alive` (known when the handler has returned, as for a paced
    // body), the head also says whether the connection stays, as finish()
    // would have.
    void commit(std::optional<bool> keep_alive = std::nullopt);
    // The response is complete. `keep_alive`: whether the server means to read
    // another request. Returns whether the connection may indeed stay open.
    bool finish(bool keep_alive);

    // Bytes ready for the socket; the caller sends them and clears this.
    std::string& output() { return out_; }
    bool wants_flush() const { return out_.size() + held_body_.size() >= buffer_limit_; }
    // Whether anything, head or raw bytes, was written for this request.
    bool started() const { return state_ != State::idle; }
    // Whether part of the final response may already be on the wire.
    bool committed() const { return state_ == State::streaming || state_ == State::raw; }
    // Drops an uncommitted response, so that another can replace it.
    void discard();
    // For bytes sent past this writer (sendfile): how to frame them, and count them.
    BodyMode body_mode() const { return mode_; }
    void count_body(std::uint64_t size);
    int status() const { return head_.status; }

private:
    enum class State { idle, held, streaming, raw };
    bool body_allowed() const;
    void emit_head(std::string_view extra_fields);
    void append_body(std::string_view body);

    ProtocolDecision protocol_;
    std::size_t buffer_limit_ = 0;
    State state_ = State::idle;
    BodyMode mode_ = BodyMode::identity;
    ResponseHead head_;
    std::string held_body_;
    std::string out_;
    std::uint64_t body_bytes_ = 0;
    bool close_delimited_ = false;
};

}  // namespace mockserve::http::detail
