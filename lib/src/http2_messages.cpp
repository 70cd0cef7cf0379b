#include "http2_messages.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <array>

namespace mockserve::http::detail {

PrefaceCheck check_http2_preface(std::string_view first_bytes) {
    if (first_bytes.size() >= kHttp2Preface.size())
        return first_bytes.substr(0, kHttp2Preface.size()) == kHttp2Preface ? PrefaceCheck::yes : PrefaceCheck::no;
    return kHttp2Preface.substr(0, first_bytes.size()) == first_bytes ? PrefaceCheck::need_more : PrefaceCheck::no;
}

std::optional<std::string> decode_base64url(std::string_view text) {
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (const char c : text) {
        int value;
        if (c >= 'A' && c <= 'Z') value = c - 'A';
        else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
        else if (c >= '0' && c <= '9') value = c - '0' + 52;
        else if (c == '-') value = 62;
        else if (c == '_') value = 63;
        else return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    if (count >= 6) return std::nullopt;  // a lone sixth of a byte: not base64
    return out;
}

bool is_connection_specific(std::string_view name) {
    static constexpr std::array<std::string_view, 5> kNames = {"Connection", "Keep-Alive", "Proxy-Connection",
                                                              "Transfer-Encoding", "Upgrade"};
    for (const auto forbidden : kNames)
        if (iequals(name, forbidden)) return true;
    return false;
}

std::optional<Http2Head> http2_head_from_http1(std::string_view text) {
    const auto line_end = text.find("\r\n");
    const auto status_line = text.substr(0, line_end);
    // "HTTP/x.y NNN[ reason]"
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ') return std::nullopt;
    const auto code = parse_decimal(status_line.substr(9, 3));
    if (!code || *code < 100 || *code > 999 || (status_line.size() > 12 && status_line[12] != ' ')) return std::nullopt;
    Http2Head head;
    head.status = static_cast<int>(*code);
    std::size_t at = line_end == std::string_view::npos ? text.size() : line_end + 2;
    while (at < text.size()) {
        auto end = text.find("\r\n", at);
        if (end == std::string_view::npos) end = text.size();
        const auto line = text.substr(at, end - at);
        at = end + 2;
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;  // not a field: handler code's mistake, dropped
        const auto name = line.substr(0, colon);
        if (is_connection_specific(name)) continue;
        const auto value = trim_ows(line.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            if (head.content_length) continue;  // one length is enough
            head.content_length = parse_decimal(value);
            if (!head.content_length) continue;
        }
        head.fields.emplace_back(to_lower_ascii(name), std::string(value));
    }
    return head;
}

std::optional<std::pair<Http2Head, std::size_t>> split_raw_response(std::string_view raw) {
    const auto end = raw.find("\r\n\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    auto head = http2_head_from_http1(raw.substr(0, end + 2));
    if (!head) return std::nullopt;
    return std::pair{std::move(*head), end + 4};
}

}  // namespace mockserve::http::detail
