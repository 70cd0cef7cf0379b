#include "scenario_syntax.hpp"

#include <mockserve/detail/text.hpp>

#include <charconv>
#include <cstdio>

namespace mockserve::scenario::detail {

std::string parse_request_line(const std::string& text, RequestPattern& pattern) {
    std::string path = text;
    if (!text.empty() && text[0] != '/' && text[0] != '~') {
        const auto space = text.find_first_of(" \t");
        const std::string methods = text.substr(0, space);
        const auto path_start = space == std::string::npos ? std::string::npos : text.find_first_not_of(" \t", space);
        path = path_start == std::string::npos ? "" : text.substr(path_start);
        for (std::size_t start = 0;;) {
            const auto bar = methods.find('|', start);
            const auto method = methods.substr(start, bar - start);
            if (!http::detail::is_token(method)) return "'" + method + "' is not a method (say GET, or GET|HEAD)";
            pattern.methods.push_back(method);
            if (bar == std::string::npos) break;
            start = bar + 1;
        }
    }
    if (path.empty() || (path[0] != '/' && path[0] != '~'))
        return "request = [METHODS] PATH: the path must start with '/' (or '~' for a regular expression)";
    try {
        pattern.path = PathPattern::parse(path);
    } catch (const std::invalid_argument& e) {
        return "bad regular expression '" + path.substr(path[0] == '~' ? 1 : 0) + "': " + e.what();
    }
    return {};
}

std::optional<CountRule> parse_count(std::string_view text) {
    CountRule rule;
    rule.op = CountRule::Op::exactly;
    if (text.substr(0, 2) == ">=") {
        rule.op = CountRule::Op::at_least;
        text.remove_prefix(2);
    } else if (text.substr(0, 2) == "<=") {
        rule.op = CountRule::Op::at_most;
        text.remove_prefix(2);
    }
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rule.n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return rule;
}

std::string parse_status(std::string_view text, int& status) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 100 || value > 599)
        return "response status must be 100-599, not '" + std::string(text) + "'";
    status = value;
    return {};
}

std::string check_protocol(std::string_view text) {
    if (text == "HTTP/1.0" || text == "HTTP/1.1") return {};
    return "protocol must be HTTP/1.0 or HTTP/1.1, not '" + std::string(text) + "'";
}

std::string check_response_text(std::string_view key, std::string_view value) {
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            char code[8];
            std::snprintf(code, sizeof code, "0x%02X", c);
            return std::string(key) + " holds the control character " + code +
                   " (a response field or reason cannot; put such bytes in the body)";
        }
    }
    return {};
}

std::string set_body_regex(const std::string& expression, RequestPattern& pattern) {
    try {
        pattern.body_regex = std::make_shared<const Regex>(expression);
        pattern.body_regex_text = expression;
    } catch (const std::invalid_argument& e) {
        return "bad regular expression '" + expression + "': " + e.what();
    }
    return {};
}

std::string set_json(const std::string& json, RequestPattern& pattern) {
    auto canonical = canonical_json(json);
    if (!canonical) return "request.json is not JSON: " + json;
    pattern.json = std::move(*canonical);
    return {};
}

std::string parse_fault(std::string_view text, CannedResponse::Fault& fault, double& probability) {
    const auto wrong = "response.fault is reset, close or truncate, with an optional probability (reset 10%), not '" +
                       std::string(text) + "'";
    const auto space = text.find(' ');
    const auto kind = text.substr(0, space);
    if (kind == "reset") {
        fault = CannedResponse::Fault::reset;
    } else if (kind == "close") {
        fault = CannedResponse::Fault::close;
    } else if (kind == "truncate") {
        fault = CannedResponse::Fault::truncate;
    } else {
        return wrong;
    }
    probability = 1.0;
    if (space == std::string_view::npos) return {};
    auto rest = http::detail::trim_ows(text.substr(space));
    if (rest.size() < 2 || rest.back() != '%') return wrong;
    rest.remove_suffix(1);
    double percent = -1;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), percent);
    if (ec != std::errc() || end != rest.data() + rest.size() || !(percent >= 0 && percent <= 100))
        return std::string("response.fault ").append(text).append(": the probability is a percentage from 0% to 100%");
    probability = percent / 100;
    return {};
}

}  // namespace mockserve::scenario::detail
