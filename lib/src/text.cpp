#include <mockserve/detail/text.hpp>

namespace mockserve::http::detail {

namespace {

std::string percent_decode(std::string_view text, bool plus_is_space) {
    // Most paths hold no escape: one search (memchr) and a copy.
    if (text.find('%') == std::string_view::npos && (!plus_is_space || text.find('+') == std::string_view::npos))
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    // The characters between escapes are copied a run at a time.
    std::size_t run = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_digit_value(text[i + 1]);
            const int low = hex_digit_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.append(text.substr(run, i - run)).push_back(static_cast<char>(high * 16 + low));
                i += 2;
                run = i + 1;
            }
        } else if (plus_is_space && text[i] == '+') {
            out.append(text.substr(run, i - run)).push_back(' ');
            run = i + 1;
        }
    }
    out.append(text.substr(run));
    return out;
}

}  // namespace

bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!is_tchar(c)) return false;
    return true;
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::string unquote(std::string_view text) { return percent_decode(text, false); }

std::string unquote_plus(std::string_view text) { return percent_decode(text, true); }

namespace {

// Where the query or fragment starts. A plain loop: find_first_of() with a
// set calls memchr on the set for every character of the target.
std::size_t query_start(std::string_view target) {
    for (std::size_t i = 0; i < target.size(); ++i)
        if (target[i] == '?' || target[i] == '#') return i;
    return std::string_view::npos;
}

}  // namespace

std::string_view path_part(std::string_view target) { return target.substr(0, query_start(target)); }

std::string_view query_and_fragment(std::string_view target) {
    const auto at = query_start(target);
    return at == std::string_view::npos ? std::string_view() : target.substr(at);
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view target) {
    std::vector<std::pair<std::string, std::string>> query;
    const auto question = target.find('?');
    if (question == std::string_view::npos) return query;
    auto rest = target.substr(question + 1);
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto item = rest.substr(0, amp);
        if (!item.empty()) {
            const auto eq = item.find('=');
            query.emplace_back(unquote_plus(item.substr(0, eq)),
                               eq == std::string_view::npos ? std::string() : unquote_plus(item.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return query;
}

}  // namespace mockserve::http::detail
