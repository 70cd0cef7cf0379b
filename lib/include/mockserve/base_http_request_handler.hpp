#pragma once
// BaseHTTPRequestHandler: Python's http.server.BaseHTTPRequestHandler in C++.
//
// Python's names are kept so that its documentation reads as this class's.
// C++ spellings:
//   - Python's class variables (server_version, protocol_version, ...) are
//     data members with Python's defaults; set them in your constructor.
//   - `responses` points to a status table (default_responses()).
//   - log_message(format, args...) formats printf-style (%s, %d, %r, %%)
//     and passes the text to the virtual log_message(message); override that
//     one. A subclass that overrides it and still calls the formatting form
//     adds `using BaseHTTPRequestHandler::log_message;`.
//   - do_GET, do_HEAD, do_POST, do_PUT, do_DELETE, do_PATCH and do_OPTIONS
//     are virtual; any other method token (Python's do_SPAM) is registered
//     with register_method("SPAM", &MyHandler::do_SPAM).
//   - The server reads each request head itself, asynchronously, so that
//     idle and slow clients hold no thread; it then calls handle() once per
//     request, which calls handle_one_request(), which dispatches to do_X.
//     close_connection says whether the server reads another request.
//
// One instance serves one connection, from setup() to finish(); its calls
// never overlap, though successive requests may run on different threads.

#include <mockserve/address.hpp>
#include <mockserve/headers.hpp>
#include <mockserve/http_date.hpp>
#include <mockserve/paced_body.hpp>
#include <mockserve/request_stream.hpp>
#include <mockserve/response_stream.hpp>
#include <mockserve/responses.hpp>
#include <mockserve/tls_facts.hpp>

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mockserve::http {

class HTTPServer;

namespace detail {
class Channel;
class HandlerBridge;
class Http2Stream;
}  // namespace detail

// Python's DEFAULT_ERROR_MESSAGE, with its %(code)d, %(message)s and %(explain)s keys.
extern const char* const DEFAULT_ERROR_MESSAGE;
// Python's DEFAULT_ERROR_CONTENT_TYPE.
extern const char* const DEFAULT_ERROR_CONTENT_TYPE;

class BaseHTTPRequestHandler {
public:
    using MessageClass = Headers;

    BaseHTTPRequestHandler();
    virtual ~BaseHTTPRequestHandler();
    BaseHTTPRequestHandler(const BaseHTTPRequestHandler&) = delete;
    BaseHTTPRequestHandler& operator=(const BaseHTTPRequestHandler&) = delete;

    // --- Instance variables: set by the server for each request -------------
    Address client_address;
    HTTPServer* server = nullptr;
    std::string command;          // "GET"
    std::string path;             // the request target; parse_request() reduces "//x" to "/x"
    std::string request_version;  // "HTTP/1.1"
    std::string requestline;      // the request line, without its line end
    Headers headers;
    // The connection's TLS facts (version, cipher, SNI, ALPN, client
    // certificate) under an HTTPSServer; null over plain HTTP.
    std::shared_ptr<const TlsFacts> tls;
    RequestStream rfile;
    ResponseStream wfile;
    bool close_connection = true;

    // --- Class variables: Python's defaults ----------------------------------
    std::string server_version = "BaseHTTP/0.6";
    std::string sys_version;  // "mockserve/<version>"
    std::string error_message_format = DEFAULT_ERROR_MESSAGE;
    std::string error_content_type = DEFAULT_ERROR_CONTENT_TYPE;
    std::string protocol_version = "HTTP/1.0";
    const ResponseTable* responses = &default_responses();

    // --- The request's life ---------------------------------------------------
    virtual void setup() {}   // once, when the connection is accepted
    virtual void handle();    // once per request: calls handle_one_request()
    virtual void handle_one_request();  // dispatches to do_<command>, or 501
    // Python's rules for a request the server has parsed: command, path,
    // request_version, requestline and headers are set as sent. It reduces
    // leading slashes of path to one (gh-87389: "//host/x" would read as a
    // host) and decides close_connection from the versions and the
    // Connection field. Returns false when it answered with an error itself
    // (an override may refuse a request); the handler then is not run.
    virtual bool parse_request();
    virtual void finish() {}  // once, when the connection closes
    // "Expect: 100-continue": return true after sending 100 Continue (the
    // default), or send an error and return false; the body is then not read.
    virtual bool handle_expect_100();

    // --- Methods (Python's do_X) ----------------------------------------------
    // Each default answers 501, as Python does for a method it has no do_X for.
    virtual void do_GET();
    virtual void do_HEAD();
    virtual void do_POST();
    virtual void do_PUT();
    virtual void do_DELETE();
    virtual void do_PATCH();
    virtual void do_OPTIONS();
    // Any method token: register_method("SPAM", &MyHandler::do_SPAM) makes a
    // SPAM request call do_SPAM(). A registered method wins over a virtual.
    void register_method(std::string method, std::function<void()> handler);
    template <class Self>
    void register_method(std::string method, void (Self::*member)()) {
        auto* self = static_cast<Self*>(this);
        register_method(std::move(method), [self, member] { (self->*member)(); });
    }

    // --- Responding -----------------------------------------------------------
    virtual void send_error(int code, std::optional<std::string> message = {},
                            std::optional<std::string> explain = {});
    virtual void send_response(int code, std::optional<std::string> message = {});
    void send_response_only(int code, std::optional<std::string> message = {});
    // Throws std::invalid_argument for a name or value that would break the
    // head (CR, LF or NUL; a name that is not a token): header injection.
    virtual void send_header(std::string_view keyword, std::string_view value);

    // mockserve's own: header fields checked and rendered once, for a
    // response whose fields never change (a scenario's canned route).
    // send_headers(block) adds them as send_header() would each, without
    // checking or formatting them again (and without calling an override
    // of send_header()).
    class HeaderBlock {
    public:
        // Throws std::invalid_argument where send_header() would.
        void add(std::string_view keyword, std::string_view value);
        const std::string& text() const { return text_; }

    private:
        friend class BaseHTTPRequestHandler;
        // Checks a field and notes what it changes beyond the text.
        void note(std::string_view keyword, std::string_view value);
        std::string text_;
        bool connection_field_ = false;
        std::optional<bool> close_;             // Connection: close (true) or keep-alive (false)
        std::optional<std::uint64_t> length_;  // the last Content-Length that reads
        bool chunked_ = false;
    };
    void send_headers(const HeaderBlock& block);
    virtual void end_headers();
    void flush_headers();

    // --- Logging ----------------------------------------------------------------
    virtual void log_request(std::string_view code = "-", std::string_view size = "-");
    void log_request(int code, std::optional<std::uint64_t> size = {});
    virtual void log_error(std::string_view message);
    template <class... Args>
    void log_error(std::string_view format, const Args&... args) {
        log_error(std::string_view(format_message(format, args...)));
    }
    // Writes "ADDRESS - - [DATE] MESSAGE" to the server's log (standard error
    // by default), control characters in MESSAGE escaped as \xHH.
    virtual void log_message(std::string_view message);
    template <class... Args>
    void log_message(std::string_view format, const Args&... args) {
        log_message(std::string_view(format_message(format, args...)));
    }

    virtual std::string version_string() const;
    std::string date_time_string(std::optional<SystemTime> timestamp = {}) const;
    std::string log_date_time_string() const;
    // The client's IP address. Like CPython's code (not its documentation),
    // no name lookup is made: it would stall the server on a slow resolver.
    virtual std::string address_string() const;

protected:
    // --- mockserve's own, not Python's -------------------------------------------
    // The client's socket, for a handler that waits on it beside other
    // descriptors (CGIHTTPRequestHandler notices a client that leaves).
    int client_socket() const;
    // Sends the response this long after the handler returns; the thread is
    // free meanwhile (the server waits on a timer).
    void delay_response(std::chrono::milliseconds delay);
    // Sends `body` after the handler returns, piece by piece (PacedBody):
    // call it after end_headers(), with nothing written to wfile. For HEAD,
    // and statuses without a body, the pieces are not sent.
    void pace_response(std::shared_ptr<const PacedBody> body);
    // Ends the connection when the handler returns, sending nothing more
    // (what was flushed is out): a close, or with `reset` a TCP reset.
    void abort_connection(bool reset);
    // Attaches `note` to this request's exchange record, for the server's
    // observer (HTTPServer::set_exchange_observer); the last one given wins.
    void annotate_exchange(std::any note);
    // Serves the current request with `other`, a handler this one is built
    // from, as though `other` had received it: the request's fields (and
    // what was unread into rfile) are handed over, `other` answers on this
    // handler's connection through its handle_one_request(), and its
    // close_connection becomes this handler's. `other` keeps no state of
    // this handler's beyond the call; it may serve many requests so.
    void delegate_request(BaseHTTPRequestHandler& other);

private:
    friend class detail::HandlerBridge;
    friend class detail::Http2Stream;

    // Python's %-formatting of a log message (%s, %d, %r, %%).
    static std::string format_texts(std::string_view format, const std::string* args, std::size_t count);
    template <class T>
    static std::string log_text(const T& value) {
        if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            return std::string(std::string_view(value));
        } else {
            std::ostringstream out;
            out << value;
            return out.str();
        }
    }
    template <class... Args>
    static std::string format_message(std::string_view format, const Args&... args) {
        if constexpr (sizeof...(Args) == 0) {
            return format_texts(format, nullptr, 0);
        } else {
            const std::string texts[] = {log_text(args)...};
            return format_texts(format, texts, sizeof...(Args));
        }
    }
    // Connects the handler to its connection, and resets it for a request.
    void attach(detail::Channel* channel);
    void begin_request();
    // Drops a head begun but not ended (a failed handler's, before its 500).
    void discard_unsent_head();
    bool has_unsent_head() const { return !headers_buffer_.empty(); }
    // 501 "Unsupported method ('X')", as Python answers a method it has no do_X for.
    void send_unsupported_method();
    // "VERSION CODE REASON\r\n" onto the head, checked; kept when `keep`.
    void append_status_line(int code, const std::optional<std::string>& message, bool keep);

    detail::Channel* channel_ = nullptr;
    std::unordered_map<std::string, std::function<void()>> methods_;
    std::string headers_buffer_;  // Python's _headers_buffer
    // The last status line made from the built-in reason phrases, and what
    // it was made of: a handler sends one status again and again.
    std::string status_line_;
    std::string status_line_version_;
    int status_line_code_ = 0;
    int head_status_ = 0;
    bool head_has_length_ = false;
    std::uint64_t head_length_ = 0;
    bool head_chunked_ = false;
    bool head_connection_field_ = false;
};

}  // namespace mockserve::http
