#include "request_head.hpp"

#include "log_format.hpp"
#include <mockserve/detail/text.hpp>

#include <array>

namespace mockserve::http::detail {

namespace {

constexpr std::size_t kMaxLeadingEmptyLines = 8;


bool is_field_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }
bool is_target_char(unsigned char c) { return c > 0x20 && c != 0x7f; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

HttpError bad(std::string message) { return HttpError{400, std::move(message), {}}; }

// Splits off one line (without its CRLF or LF) from `rest`. A CR that is not
// right before the LF is a bare CR: an error.
bool next_line(std::string_view& rest, std::string_view& line) {
    const auto lf = rest.find('\n');
    line = rest.substr(0, lf);
    rest.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line.find('\r') == std::string_view::npos;
}

std::variant<RequestHead, HttpError> parse_request_line(std::string_view line, RequestHead& head) {
    head.request_line = std::string(line);
    const auto first = line.find(' ');
    const auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == last)
        return bad("Bad request syntax (" + python_repr(line) + ")");
    const auto method = line.substr(0, first);
    const auto target = line.substr(first + 1, last - first - 1);
    const auto version = line.substr(last + 1);
    if (!is_token(method) || target.empty() || version.empty())
        return bad("Bad request syntax (" + python_repr(line) + ")");
    for (const char c : target)
        if (!is_target_char(static_cast<unsigned char>(c)))
            return bad("Bad request syntax (" + python_repr(line) + ")");

    // As Python: "HTTP/" digits "." digits, each at most 10 digits, or 400.
    // Built only when needed: this runs for every request.
    const auto bad_version = [&] { return bad("Bad request version (" + python_repr(version) + ")"); };
    if (version.substr(0, 5) != "HTTP/") return bad_version();
    const auto number = version.substr(5);
    const auto dot = number.find('.');
    if (dot == std::string_view::npos) return bad_version();
    const auto major = number.substr(0, dot);
    const auto minor = number.substr(dot + 1);
    for (const auto part : {major, minor}) {
        if (part.empty() || part.size() > 10) return bad_version();
        for (const char c : part)
            if (!is_digit(c)) return bad_version();
    }
    const auto major_value = std::stoll(std::string(major));
    if (major_value >= 2 || major_value == 0)
        return HttpError{505, "Invalid HTTP version (" + std::string(number) + ")", {}};
    // RFC 9112: HTTP-version is exactly one digit each side of the dot.
    if (major.size() != 1 || minor.size() != 1) return bad_version();

    head.method = std::string(method);
    head.target = std::string(target);
    head.version = std::string(version);
    head.major = 1;
    head.minor = minor[0] - '0';
    return std::move(head);
}

}  // namespace

RequestLineWords split_refused_request_line(std::string_view line) {
    const auto first = line.find(' ');
    const auto last = line.rfind(' ');
    if (first == std::string_view::npos || last <= first) return {line.substr(0, first), {}};
    return {line.substr(0, first), line.substr(first + 1, last - first - 1)};
}

void HeadScanner::reset() { *this = HeadScanner(*limits_); }

HeadScanner::State HeadScanner::fail(int status, std::string message) {
    error_ = HttpError{status, std::move(message), {}};
    return State::failed;
}

HeadScanner::State HeadScanner::scan(std::string_view input) {
    while (pos_ < input.size()) {
        const auto lf = input.find('\n', pos_);
        const std::size_t available_end = lf == std::string_view::npos ? input.size() : lf;
        // A lone CR may still turn out to be an empty line's CRLF.
        const bool partial_has_text =
            available_end > line_start_ + 1 || (available_end == line_start_ + 1 && input[line_start_] != '\r');
        if (!begin_found_ && partial_has_text) {
            begin_found_ = true;
            extent_.begin = line_start_;
        }
        // The request line is checked as it grows, so that an endless one is
        // answered 414 without waiting for the whole head limit.
        if (begin_found_ && lines_ == 0 && available_end - extent_.begin > limits_->max_request_line + 1)
            return fail(414, {});
        if (begin_found_ && available_end - extent_.begin > limits_->max_header_bytes)
            return fail(431, "Request header too large");
        if (lf == std::string_view::npos) {
            pos_ = input.size();
            return State::need_more;
        }
        auto line_length = lf - line_start_;
        if (line_length > 0 && input[lf - 1] == '\r') --line_length;
        pos_ = lf + 1;
        const std::size_t this_line = line_start_;
        line_start_ = pos_;
        if (line_length > 0) {
            if (!begin_found_) {
                begin_found_ = true;
                extent_.begin = this_line;
            }
            if (++lines_ > limits_->max_header_count + 1) return fail(431, "Too many headers");
            continue;
        }
        if (!begin_found_) {
            if (++empty_lines_ > kMaxLeadingEmptyLines) return fail(400, "Bad request syntax");
            continue;
        }
        extent_.end = pos_;
        return State::complete;
    }
    return State::need_more;
}

std::variant<RequestHead, HttpError> parse_request_head(std::string_view head, const Limits& limits) {
    RequestHead parsed;
    std::string_view rest = head;
    std::string_view line;
    if (!next_line(rest, line)) return bad("Bad request syntax (bare CR in the request line)");
    if (line.size() > limits.max_request_line) return HttpError{414, {}, {}};
    auto result = parse_request_line(line, parsed);
    if (std::holds_alternative<HttpError>(result)) return result;
    parsed = std::move(std::get<RequestHead>(result));

    while (!rest.empty()) {
        if (!next_line(rest, line)) return bad("Bad header: bare CR");
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') return bad("Bad header: obsolete line folding");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return bad("Bad header: no colon");
        const auto name = line.substr(0, colon);
        if (!is_token(name)) return bad("Bad header field name (" + python_repr(name) + ")");
        const auto value = trim_ows(line.substr(colon + 1));
        for (const char c : value)
            if (!is_field_value_char(static_cast<unsigned char>(c)))
                return bad("Bad header field value in " + std::string(name));
        if (parsed.headers.size() >= limits.max_header_count) return HttpError{431, "Too many headers", {}};
        parsed.headers.add(std::string(name), std::string(value));
    }

    const auto hosts = parsed.headers.count("Host");
    if (hosts > 1) return bad("Bad request: more than one Host header");
    if (hosts == 0 && parsed.minor >= 1) return bad("Bad request: HTTP/1.1 requires a Host header");
    return parsed;
}

}  // namespace mockserve::http::detail
