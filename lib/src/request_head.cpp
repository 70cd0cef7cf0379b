#include "request_head.hpp"

#include "log_format.hpp"
#include <mockserve/detail/text.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace mockserve::http::detail {

namespace {

constexpr std::size_t kMaxLeadingEmptyLines = 8;

// The classes of a byte the head's grammar asks about, one table lookup per
// byte: each request's target, field values and Host are checked a byte at
// a time, and a chain of comparisons per byte cost a tenth of the parse.
enum ByteClass : std::uint8_t {
    kFieldValue = 1,  // HTAB, SP and visible bytes, 0x80-0xFF included (RFC 9110 field-vchar, obs-text)
    kTarget = 2,      // visible bytes, 0x80-0xFF included: no SP, no control
    kRegName = 4,     // RFC 3986 unreserved / sub-delims: a reg-name's bytes besides %XX
    kHex = 8,
    kDigit = 16,
    kToken = 32,      // RFC 9110 tchar: methods and field names
};

constexpr std::array<std::uint8_t, 256> make_byte_classes() {
    std::array<std::uint8_t, 256> table{};
    for (unsigned c = 0; c < 256; ++c) {
        std::uint8_t bits = 0;
        if (c == '\t' || (c >= 0x20 && c != 0x7f)) bits |= kFieldValue;
        if (c > 0x20 && c != 0x7f) bits |= kTarget;
        const bool digit = c >= '0' && c <= '9';
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (digit) bits |= kDigit | kHex;
        if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= kHex;
        if (digit || alpha || std::string_view("-._~!$&'()*+,;=").find(static_cast<char>(c)) != std::string_view::npos)
            bits |= kRegName;
        if (is_tchar(static_cast<char>(c))) bits |= kToken;
        table[c] = bits;
    }
    return table;
}
constexpr auto kByteClasses = make_byte_classes();

bool is(char c, ByteClass wanted) { return kByteClasses[static_cast<unsigned char>(c)] & wanted; }
// Whether every byte of `text` is of the class.
bool all_are(std::string_view text, ByteClass wanted) {
    for (const char c : text)
        if (!is(c, wanted)) return false;
    return true;
}

HttpError bad(std::string message) { return HttpError{400, std::move(message), {}}; }

// uri-host [ ":" port ] (RFC 9112 section 3.2, RFC 3986 section 3.2.2): a
// reg-name (IPv4 addresses included) or an IP-literal in brackets, and a port
// of digits. No user information, no white space, no '/', nothing above 0x7F.
bool is_valid_authority(std::string_view authority) {
    std::string_view host = authority;
    std::string_view port;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        for (const char c : host.substr(1, close - 1))
            if (!is(c, static_cast<ByteClass>(kHex | kRegName)) && c != ':') return false;
        const auto after = host.substr(close + 1);
        if (!after.empty() && after.front() != ':') return false;
        if (!after.empty()) port = after.substr(1);
        host = {};
    } else if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    for (std::size_t i = 0; i < host.size(); ++i) {
        if (is(host[i], kRegName)) continue;
        if (host[i] != '%' || i + 2 >= host.size() || !is(host[i + 1], kHex) || !is(host[i + 2], kHex)) return false;
        i += 2;
    }
    return all_are(port, kDigit);
}

// The request target's form (RFC 9112 section 3.2): origin-form ("/a?b") for
// any method; absolute-form ("http://host/a?b") for any method, made
// origin-form here with its authority in place of Host (section 3.2.2: the
// received Host is ignored); authority-form ("host:443") for CONNECT only;
// asterisk-form ("*") for OPTIONS only. Anything else ("a.txt") is 400.
std::optional<HttpError> normalise_target(RequestHead& head) {
    const std::string_view target = head.target;
    const auto refused = [&] { return bad("Bad request target (" + python_repr(target) + ")"); };
    if (target.front() == '/') return std::nullopt;
    if (target == "*") return head.method == "OPTIONS" ? std::nullopt : std::optional(refused());
    if (head.method == "CONNECT") {
        if (target.find_first_of("/?#@") != std::string_view::npos || target.find(':') == std::string_view::npos ||
            !is_valid_authority(target))
            return refused();
        return std::nullopt;
    }
    const auto scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return refused();
    const auto scheme = target.substr(0, scheme_end);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) return refused();
    const auto rest = target.substr(scheme_end + 3);
    const auto authority_end = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, authority_end);
    if (authority.empty() || !is_valid_authority(authority)) return refused();
    std::string origin_form = authority_end == std::string_view::npos ? std::string() : std::string(rest.substr(authority_end));
    if (origin_form.empty() || origin_form.front() != '/') origin_form.insert(origin_form.begin(), '/');
    head.headers.replace_or_add("Host", std::string(authority));
    head.target = std::move(origin_form);
    return std::nullopt;
}

// How many LFs `text` holds (memchr from one to the next: std::count looks
// at each byte in turn).
std::size_t count_lines(std::string_view text) {
    std::size_t lines = 0;
    for (auto at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) ++lines;
    return lines;
}

// Splits off one line (without its CRLF or LF) from `rest`. A CR that is not
// right before the LF is a bare CR: an error.
bool next_line(std::string_view& rest, std::string_view& line) {
    const auto lf = rest.find('\n');
    line = rest.substr(0, lf);
    rest.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line.find('\r') == std::string_view::npos;
}

// Fills `head`'s request-line fields; the error when the line is refused.
std::optional<HttpError> parse_request_line(std::string_view line, RequestHead& head) {
    head.request_line = line;
    const auto first = line.find(' ');
    const auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == last)
        return bad("Bad request syntax (" + python_repr(line) + ")");
    const auto method = line.substr(0, first);
    const auto target = line.substr(first + 1, last - first - 1);
    const auto version = line.substr(last + 1);
    if (!is_token(method) || target.empty() || version.empty())
        return bad("Bad request syntax (" + python_repr(line) + ")");
    if (!all_are(target, kTarget)) return bad("Bad request syntax (" + python_repr(line) + ")");

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
        if (!all_are(part, kDigit)) return bad_version();
    }
    long long major_value = 0;  // at most 10 digits: no overflow
    for (const char c : major) major_value = major_value * 10 + (c - '0');
    if (major_value >= 2 || major_value == 0)
        return HttpError{505, "Invalid HTTP version (" + std::string(number) + ")", {}};
    // RFC 9112: HTTP-version is exactly one digit each side of the dot.
    if (major.size() != 1 || minor.size() != 1) return bad_version();

    head.method.assign(method);  // assigned, not made anew: a reused head keeps its strings' room
    head.target.assign(target);
    head.version.assign(version);
    head.major = 1;
    head.minor = minor[0] - '0';
    return std::nullopt;
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
            // A request line without a version (HTTP/0.9's "GET /x") has no
            // header block after it: it is the whole head, refused at once
            // rather than after request_timeout.
            if (lines_ == 1 && std::count(input.begin() + static_cast<std::ptrdiff_t>(this_line),
                                          input.begin() + static_cast<std::ptrdiff_t>(this_line + line_length), ' ') < 2) {
                extent_.end = pos_;
                return State::complete;
            }
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

bool parse_common_request_head(std::string_view text, const Limits& limits, RequestHead& parsed) {
    const char* p = text.data();
    const char* const end = p + text.size();
    const auto skip = [&](ByteClass wanted) {
        while (p < end && is(*p, wanted)) ++p;
    };
    // Ends the line at p: CRLF or LF (a bare CR goes to the rules, which refuse it).
    const auto line_end = [&] {
        if (p < end && *p == '\r') ++p;
        if (p == end || *p != '\n') return false;
        ++p;
        return true;
    };

    // method SP origin-form SP HTTP/1.x: the spaces the rules split the line
    // at are these two, as neither a token nor a target holds one.
    const char* const method = p;
    skip(kToken);
    if (p == method || p == end || *p != ' ') return false;
    const std::string_view method_text(method, static_cast<std::size_t>(p - method));
    const char* const target = ++p;
    if (p == end || *p != '/') return false;
    skip(kTarget);
    if (p == end || *p != ' ') return false;
    const std::string_view target_text(target, static_cast<std::size_t>(p - target));
    const char* const version = ++p;
    if (end - p < 8 || std::string_view(p, 7) != "HTTP/1." || !is(p[7], kDigit)) return false;
    p += 8;
    const std::string_view request_line(text.data(), static_cast<std::size_t>(p - text.data()));
    if (!line_end() || request_line.size() > limits.max_request_line) return false;

    parsed.headers.clear();
    std::size_t hosts = 0;
    std::string_view host;
    while (true) {
        if (p < end && (*p == '\r' || *p == '\n')) {  // the blank line
            if (!line_end()) return false;
            break;
        }
        const char* const name = p;
        skip(kToken);
        if (p == name || p == end || *p != ':') return false;
        const std::string_view name_text(name, static_cast<std::size_t>(p - name));
        ++p;
        while (p < end && (*p == ' ' || *p == '\t')) ++p;
        const char* const value = p;
        skip(kFieldValue);  // stops at CR, LF or any other control byte
        const char* value_end = p;
        while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
        if (!line_end() || parsed.headers.size() >= limits.max_header_count) return false;
        const std::string_view value_text(value, static_cast<std::size_t>(value_end - value));
        if (name_text.size() == 4 && iequals(name_text, "Host")) {
            ++hosts;
            host = value_text;
        }
        parsed.headers.add(std::string(name_text), std::string(value_text));
    }
    if (hosts > 1 || (hosts == 0 && version[7] != '0') || (hosts == 1 && !is_valid_authority(host))) return false;

    parsed.request_line = request_line;
    parsed.method.assign(method_text);
    parsed.target.assign(target_text);
    parsed.version.assign(version, 8);
    parsed.major = 1;
    parsed.minor = version[7] - '0';
    return true;
}

std::optional<HttpError> parse_request_head(std::string_view head, const Limits& limits, RequestHead& parsed) {
    if (parse_common_request_head(head, limits, parsed)) return std::nullopt;
    return parse_request_head_by_the_rules(head, limits, parsed);
}

std::optional<HttpError> parse_request_head_by_the_rules(std::string_view head, const Limits& limits, RequestHead& parsed) {
    parsed.headers.clear();
    std::string_view rest = head;
    std::string_view line;
    if (!next_line(rest, line)) return bad("Bad request syntax (bare CR in the request line)");
    if (line.size() > limits.max_request_line) return HttpError{414, {}, {}};
    if (auto refused = parse_request_line(line, parsed)) return refused;
    // One allocation for the fields (each line is at most one), not one per doubling.
    parsed.headers.reserve(std::min(count_lines(rest), limits.max_header_count));

    // The Host fields, counted as they come (a field name of four letters is
    // compared, no other), and the last one's value.
    std::size_t hosts = 0;
    std::string_view host;
    while (!rest.empty()) {
        if (!next_line(rest, line)) return bad("Bad header: bare CR");
        if (line.empty()) break;
        if (line.front() == ' ' || line.front() == '\t') return bad("Bad header: obsolete line folding");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return bad("Bad header: no colon");
        const auto name = line.substr(0, colon);
        if (!is_token(name)) return bad("Bad header field name (" + python_repr(name) + ")");
        const auto value = trim_ows(line.substr(colon + 1));
        if (!all_are(value, kFieldValue)) return bad("Bad header field value in " + std::string(name));
        if (parsed.headers.size() >= limits.max_header_count) return HttpError{431, "Too many headers", {}};
        if (name.size() == 4 && iequals(name, "Host")) {
            ++hosts;
            host = value;
        }
        parsed.headers.add(std::string(name), std::string(value));
    }

    if (hosts > 1) return bad("Bad request: more than one Host header");
    if (hosts == 0 && parsed.minor >= 1) return bad("Bad request: HTTP/1.1 requires a Host header");
    // An absolute-form target's authority replaces the Host received (and
    // is checked there), so that the received one is checked only otherwise.
    const bool absolute_form = parsed.target.front() != '/' && parsed.target != "*" && parsed.method != "CONNECT";
    if (auto refused = normalise_target(parsed)) return refused;
    if (hosts == 1 && !absolute_form && !is_valid_authority(host))
        return bad("Bad request: invalid Host (" + python_repr(host) + ")");
    return std::nullopt;
}

std::variant<RequestHead, HttpError> parse_request_head(std::string_view head, const Limits& limits) {
    RequestHead parsed;
    if (auto refused = parse_request_head(head, limits, parsed)) return std::move(*refused);
    return parsed;
}

}  // namespace mockserve::http::detail
