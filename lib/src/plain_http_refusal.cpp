#include "plain_http_refusal.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

namespace mockserve::http::detail {

namespace {

// The value of the Host field, if it is there and plain printable text.
std::string_view host_of(std::string_view head) {
    std::size_t at = head.find('\n');
    while (at != std::string_view::npos && at + 1 < head.size()) {
        const auto line_start = at + 1;
        auto line_end = head.find('\n', line_start);
        auto line = head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                             : line_end - line_start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // the end of the head
        const auto colon = line.find(':');
        if (colon != std::string_view::npos && iequals(line.substr(0, colon), "host")) {
            auto value = trim_ows(line.substr(colon + 1));
            for (const char c : value)
                if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == '"') return {};
            return value;
        }
        at = line_end;
    }
    return {};
}

// The request target, if it is an absolute path of plain printable text.
std::string_view target_of(std::string_view head) {
    const auto first = head.find(' ');
    if (first == std::string_view::npos) return {};
    const auto second = head.find(' ', first + 1);
    if (second == std::string_view::npos) return {};
    auto target = head.substr(first + 1, second - first - 1);
    if (target.empty() || target.front() != '/') return {};
    for (const char c : target)
        if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == '"') return {};
    return target;
}

}  // namespace

bool looks_like_plain_http(unsigned char first_byte) { return first_byte >= 'A' && first_byte <= 'Z'; }

std::string plain_http_refusal(std::string_view received) {
    std::string body = "400 Bad Request: The plain HTTP request was sent to HTTPS port.\n";
    const auto host = host_of(received);
    if (!host.empty()) {
        const auto target = target_of(received);
        body += "This port speaks HTTPS: ask https://" + std::string(host) +
                std::string(target.empty() ? std::string_view("/") : target) + " instead.\n";
    } else {
        body += "This port speaks HTTPS: use an https:// address.\n";
    }
    return "HTTP/1.1 400 Bad Request\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n"
           "Connection: close\r\n"
           "\r\n" + body;
}

}  // namespace mockserve::http::detail
