#include <mockserve/base_http_request_handler.hpp>

#include "channel.hpp"
#include "log_format.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/version.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace mockserve::http {

const char* const DEFAULT_ERROR_MESSAGE =
    "<!DOCTYPE HTML>\n"
    "<html lang=\"en\">\n"
    "    <head>\n"
    "        <meta charset=\"utf-8\">\n"
    "        <title>Error response</title>\n"
    "    </head>\n"
    "    <body>\n"
    "        <h1>Error response</h1>\n"
    "        <p>Error code: %(code)d</p>\n"
    "        <p>Message: %(message)s.</p>\n"
    "        <p>Error code explanation: %(code)s - %(explain)s.</p>\n"
    "    </body>\n"
    "</html>\n";

const char* const DEFAULT_ERROR_CONTENT_TYPE = "text/html;charset=utf-8";

namespace {

bool breaks_head(std::string_view text) {
    // Every field value of every response passes here. CR, LF and NUL are
    // all below 14, so eight bytes are checked at once for a byte below 14
    // (the borrow of subtracting 14 from each byte reaches its top bit), and
    // only a word that has one is looked at byte by byte.
    constexpr std::uint64_t kOnes = 0x0101010101010101u;
    constexpr std::uint64_t kTops = 0x8080808080808080u;
    const auto breaks = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, sizeof word);
        if (((word - kOnes * 14) & ~word & kTops) != 0 && std::any_of(text.data() + i, text.data() + i + 8, breaks))
            return true;
    }
    return std::any_of(text.data() + i, text.data() + text.size(), breaks);
}

}  // namespace

std::string BaseHTTPRequestHandler::format_texts(std::string_view format, const std::string* args, std::size_t count) {
    return detail::percent_format(format, args, count);
}

BaseHTTPRequestHandler::BaseHTTPRequestHandler() : sys_version(std::string("mockserve/") + mockserve::version) {}

BaseHTTPRequestHandler::~BaseHTTPRequestHandler() = default;

void BaseHTTPRequestHandler::attach(detail::Channel* channel) {
    channel_ = channel;
    rfile.attach(channel);
    wfile.attach(channel);
}

void BaseHTTPRequestHandler::discard_unsent_head() {
    headers_buffer_.clear();
    head_status_ = 0;
}

void BaseHTTPRequestHandler::begin_request() {
    command.clear();
    path.clear();
    request_version.clear();
    requestline.clear();
    headers.clear();
    close_connection = true;
    headers_buffer_.clear();
    head_status_ = 0;
    head_has_length_ = false;
    head_length_ = 0;
    head_chunked_ = false;
    head_connection_field_ = false;
    rfile.attach(channel_);
}

// --- The request's life -----------------------------------------------------

void BaseHTTPRequestHandler::handle() { handle_one_request(); }

void BaseHTTPRequestHandler::handle_one_request() {
    if (const auto it = methods_.find(command); it != methods_.end()) return it->second();
    if (command == "GET") return do_GET();
    if (command == "HEAD") return do_HEAD();
    if (command == "POST") return do_POST();
    if (command == "PUT") return do_PUT();
    if (command == "DELETE") return do_DELETE();
    if (command == "PATCH") return do_PATCH();
    if (command == "OPTIONS") return do_OPTIONS();
    send_unsupported_method();
}

void BaseHTTPRequestHandler::send_unsupported_method() {
    send_error(501, "Unsupported method (" + detail::python_repr(command) + ")");
}

bool BaseHTTPRequestHandler::parse_request() {
    if (path.size() > 1 && path[0] == '/' && path[1] == '/') {
        const auto first = path.find_first_not_of('/');
        path.erase(0, first == std::string::npos ? path.size() : first);
        path.insert(path.begin(), '/');
    }
    const bool server_http11 = protocol_version >= "HTTP/1.1";
    close_connection = !(request_version >= "HTTP/1.1" && server_http11);
    const auto connection = headers.get("Connection", "");
    const auto has = [&](std::string_view token) {
        return detail::any_list_element(connection, [&](std::string_view element) { return iequals(element, token); });
    };
    if (has("close")) {
        close_connection = true;
    } else if (has("keep-alive") && server_http11) {
        close_connection = false;
    }
    return true;
}

bool BaseHTTPRequestHandler::handle_expect_100() {
    send_response_only(100);
    end_headers();
    return true;
}

void BaseHTTPRequestHandler::do_GET() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_HEAD() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_POST() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_PUT() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_DELETE() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_PATCH() { send_unsupported_method(); }
void BaseHTTPRequestHandler::do_OPTIONS() { send_unsupported_method(); }

void BaseHTTPRequestHandler::register_method(std::string method, std::function<void()> handler) {
    if (!detail::is_token(method)) throw std::invalid_argument("not an HTTP method token: " + method);
    methods_[std::move(method)] = std::move(handler);
}

// --- Responding -------------------------------------------------------------

void BaseHTTPRequestHandler::send_error(int code, std::optional<std::string> message,
                                        std::optional<std::string> explain) {
    const auto known = responses->find(code);
    if (!message) message = known != responses->end() ? known->second.first : "???";
    if (!explain) explain = known != responses->end() ? known->second.second : "???";
    log_error("code %d, message %s", code, *message);
    send_response(code, message);
    send_header("Connection", "close");

    std::string body;
    if (detail::status_has_body(code)) {
        body = detail::format_error_page(error_message_format, code, detail::html_escape(*message),
                                         detail::html_escape(*explain));
        send_header("Content-Type", error_content_type);
        send_header("Content-Length", std::to_string(body.size()));
    }
    end_headers();
    if (command != "HEAD" && !body.empty()) wfile.write(body);
}

void BaseHTTPRequestHandler::send_response(int code, std::optional<std::string> message) {
    log_request(code);
    send_response_only(code, std::move(message));
    send_header("Server", version_string());
    send_header("Date", date_time_string());
}

void BaseHTTPRequestHandler::send_response_only(int code, std::optional<std::string> message) {
    if (code < 100 || code > 999) throw std::invalid_argument("not a status code: " + std::to_string(code));
    const bool from_builtin_table = !message && responses == &default_responses();
    if (from_builtin_table && code == status_line_code_ && protocol_version == status_line_version_) {
        // The same line again (the table cannot change): no lookup, no checks.
        headers_buffer_.append(status_line_);
    } else {
        append_status_line(code, message, from_builtin_table);
    }
    head_status_ = code;
    head_has_length_ = false;
    head_length_ = 0;
    head_chunked_ = false;
    head_connection_field_ = false;
}

void BaseHTTPRequestHandler::append_status_line(int code, const std::optional<std::string>& message, bool keep) {
    std::string_view reason;  // the table's own text when none is given: not copied
    if (message) {
        reason = *message;
    } else if (const auto known = responses->find(code); known != responses->end()) {
        reason = known->second.first;
    }
    if (breaks_head(reason)) throw std::invalid_argument("a reason phrase may not hold CR, LF or NUL");
    const char digits[] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                           static_cast<char>('0' + code % 10)};  // three, as checked above
    const auto start = headers_buffer_.size();
    headers_buffer_.append(protocol_version).append(" ").append(digits, 3).append(" ").append(reason).append("\r\n");
    if (keep) {
        status_line_.assign(headers_buffer_, start);
        status_line_version_ = protocol_version;
        status_line_code_ = code;
    }
}

void BaseHTTPRequestHandler::HeaderBlock::add(std::string_view keyword, std::string_view value) {
    note(keyword, value);
    text_.append(keyword).append(": ").append(value).append("\r\n");
}

void BaseHTTPRequestHandler::HeaderBlock::note(std::string_view keyword, std::string_view value) {
    if (!detail::is_token(keyword)) throw std::invalid_argument("not a header name: " + std::string(keyword));
    if (breaks_head(value)) throw std::invalid_argument("a header value may not hold CR, LF or NUL");
    // Beyond the text, a field may say whether the connection goes on, and
    // how the body is framed.
    // The names' lengths first (10, 14, 17): most fields are none of the three.
    if (keyword.size() == 10 && iequals(keyword, "Connection")) {
        connection_field_ = true;
        const auto v = detail::to_lower_ascii(value);
        if (v == "close") {
            close_ = true;
        } else if (v == "keep-alive") {
            close_ = false;
        }
    } else if (keyword.size() == 14 && iequals(keyword, "Content-Length")) {
        if (const auto length = detail::parse_decimal(value)) length_ = *length;
    } else if (keyword.size() == 17 && iequals(keyword, "Transfer-Encoding")) {
        chunked_ = true;
    }
}

void BaseHTTPRequestHandler::send_header(std::string_view keyword, std::string_view value) {
    HeaderBlock field;  // without text (no allocation): what the field changes
    field.note(keyword, value);
    headers_buffer_.append(keyword).append(": ").append(value).append("\r\n");
    send_headers(field);
}

void BaseHTTPRequestHandler::send_headers(const HeaderBlock& block) {
    headers_buffer_.append(block.text_);
    if (block.connection_field_) head_connection_field_ = true;
    if (block.close_) close_connection = *block.close_;
    if (block.length_) {
        head_has_length_ = true;
        head_length_ = *block.length_;
    }
    if (block.chunked_) head_chunked_ = true;
}

void BaseHTTPRequestHandler::end_headers() { flush_headers(); }

void BaseHTTPRequestHandler::flush_headers() {
    if (head_status_ == 0) {  // fields with no status line: Python writes them as they are
        wfile.write(headers_buffer_ + "\r\n");
        headers_buffer_.clear();
        return;
    }
    detail::ResponseHead head;
    head.text.swap(headers_buffer_);
    head.status = head_status_;
    head.has_length = head_has_length_;
    head.length = head_length_;
    head.chunked = head_chunked_;
    head.connection_field = head_connection_field_;
    head_status_ = 0;
    channel_->write_head(std::move(head));
    // What the channel gives back (its last head) is the room for the next
    // one: no allocation per response.
    headers_buffer_.swap(head.text);
    headers_buffer_.clear();
}

// --- Logging ------------------------------------------------------------------

void BaseHTTPRequestHandler::log_request(std::string_view code, std::string_view size) {
    log_message("\"%s\" %s %s", requestline, code, size);
}

void BaseHTTPRequestHandler::log_request(int code, std::optional<std::uint64_t> size) {
    char code_text[12];
    char size_text[21];
    const auto code_end = std::to_chars(code_text, code_text + sizeof code_text, code).ptr;
    const auto size_end = size ? std::to_chars(size_text, size_text + sizeof size_text, *size).ptr : size_text;
    log_request(std::string_view(code_text, static_cast<std::size_t>(code_end - code_text)),
                size ? std::string_view(size_text, static_cast<std::size_t>(size_end - size_text)) : "-");
}

void BaseHTTPRequestHandler::log_error(std::string_view message) { log_message(message); }

void BaseHTTPRequestHandler::log_message(std::string_view message) {
    if (server && !server->logging()) return;
    std::string line = address_string();
    line.append(" - - [").append(log_date_time_string()).append("] ").append(detail::escape_control_characters(message));
    if (server) {
        server->log(line);
    } else {
        std::cerr << line << '\n';
    }
}

std::string BaseHTTPRequestHandler::version_string() const { return server_version + " " + sys_version; }

std::string BaseHTTPRequestHandler::date_time_string(std::optional<SystemTime> timestamp) const {
    return format_http_date(timestamp.value_or(std::chrono::system_clock::now()));
}

std::string BaseHTTPRequestHandler::log_date_time_string() const {
    return format_log_date(std::chrono::system_clock::now());
}

std::string BaseHTTPRequestHandler::address_string() const { return client_address.host; }

int BaseHTTPRequestHandler::client_socket() const { return channel_ ? channel_->wait_handle() : -1; }

void BaseHTTPRequestHandler::delay_response(std::chrono::milliseconds delay) {
    if (channel_) channel_->delay_response(delay);
}

void BaseHTTPRequestHandler::pace_response(std::shared_ptr<const PacedBody> body) {
    if (channel_) channel_->pace(std::move(body));
}

void BaseHTTPRequestHandler::abort_connection(bool reset) {
    if (channel_) channel_->abort(reset);
}

void BaseHTTPRequestHandler::delegate_request(BaseHTTPRequestHandler& other) {
    other.attach(channel_);
    other.begin_request();
    other.server = server;
    other.client_address = client_address;
    other.tls = tls;
    other.protocol_version = protocol_version;
    other.command = command;
    other.path = path;
    other.request_version = request_version;
    other.requestline = requestline;
    other.close_connection = close_connection;
    other.rfile.pushback_ = std::move(rfile.pushback_);
    rfile.pushback_.clear();
    // The headers are lent, not copied, and come back even if `other` throws.
    std::swap(headers, other.headers);
    struct GiveBack {
        Headers& mine;
        Headers& lent;
        ~GiveBack() { std::swap(mine, lent); }
    } give_back{headers, other.headers};
    other.handle_one_request();
    // A head `other` began but did not end is ended for it, as for any handler.
    if (other.has_unsent_head()) other.end_headers();
    close_connection = other.close_connection;
}

void BaseHTTPRequestHandler::annotate_exchange(std::any note) {
    if (channel_) channel_->annotate(std::move(note));
}

// --- rfile and wfile ------------------------------------------------------------

void RequestStream::attach(detail::Channel* channel) {
    channel_ = channel;
    pushback_.clear();
}

std::size_t RequestStream::read(char* into, std::size_t size) {
    std::size_t done = 0;
    if (!pushback_.empty()) {
        done = std::min(size, pushback_.size());
        std::copy_n(pushback_.data(), done, into);
        pushback_.erase(0, done);
    }
    while (done < size && channel_) {
        const auto n = channel_->read_body(into + done, size - done, true);
        if (n <= 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

std::size_t RequestStream::read_some(char* into, std::size_t size) {
    if (!pushback_.empty()) {
        const auto n = std::min(size, pushback_.size());
        std::copy_n(pushback_.data(), n, into);
        pushback_.erase(0, n);
        return n;
    }
    return channel_ && size > 0 ? static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, channel_->read_body(into, size, true))) : 0;
}

void RequestStream::unread(std::string_view bytes) { pushback_.insert(0, bytes); }

std::optional<std::size_t> RequestStream::read_nowait(char* into, std::size_t size) {
    if (!pushback_.empty() || !channel_ || size == 0) return read_some(into, size);
    const auto n = channel_->read_body(into, size, false);
    if (n < 0) return std::nullopt;
    return static_cast<std::size_t>(n);
}

std::string RequestStream::read(std::size_t size) {
    std::string out;
    // One block of the body's size when it is known: growing by doubling
    // left freed blocks of every size behind each large body (ci/soak).
    if (const auto unread = channel_ ? channel_->body_unread() : std::nullopt) {
        if (*unread == 0 && pushback_.empty()) return out;  // no body (most requests): nothing to wait for
        out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(size, pushback_.size() + *unread)));
    }
    char buffer[16 * 1024];
    while (out.size() < size) {
        const auto n = read(buffer, std::min(sizeof buffer, size - out.size()));
        if (n == 0) break;
        out.append(buffer, n);
    }
    return out;
}

std::string RequestStream::readline(std::size_t limit) {
    std::string line;
    char buffer[1024];
    while (line.size() < limit) {
        const auto n = read(buffer, std::min(sizeof buffer, limit - line.size()));
        if (n == 0) break;
        const std::string_view got(buffer, n);
        const auto lf = got.find('\n');
        if (lf != std::string_view::npos) {
            line.append(got.substr(0, lf + 1));
            pushback_.insert(0, got.substr(lf + 1));
            break;
        }
        line.append(got);
    }
    return line;
}

void ResponseStream::write(std::string_view bytes) {
    if (channel_ && !bytes.empty()) channel_->write(bytes);
}

void ResponseStream::flush() {
    if (channel_) channel_->flush();
}

void ResponseStream::send_file(int fd, std::uint64_t offset, std::uint64_t count) {
    if (channel_) channel_->send_file(fd, offset, count);
}

}  // namespace mockserve::http
