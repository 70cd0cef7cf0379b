#include "log_format.hpp"

#include <cstdio>

namespace mockserve::http::detail {

namespace {

void append_hex_escape(std::string& out, unsigned char c) {
    char buffer[5];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", c);
    out.append(buffer);
}

}  // namespace

std::string percent_format(std::string_view format, const std::string* args, std::size_t count) {
    std::string out;
    out.reserve(format.size() + 32);
    std::size_t next = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if (c != '%' || i + 1 == format.size()) {
            out.push_back(c);
            continue;
        }
        const char spec = format[++i];
        if (spec == '%') {
            out.push_back('%');
        } else if (next < count && (spec == 's' || spec == 'd')) {
            out.append(args[next++]);
        } else if (next < count && spec == 'r') {
            out.append(python_repr(args[next++]));
        } else {
            out.push_back('%');
            out.push_back(spec);
        }
    }
    return out;
}

std::string escape_control_characters(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            append_hex_escape(out, c);
        } else if (c == '\\') {
            out.append("\\\\");
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::string python_repr(std::string_view text) {
    const bool has_single = text.find('\'') != std::string_view::npos;
    const bool has_double = text.find('"') != std::string_view::npos;
    const char quote = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, quote);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            default:
                if (ch == quote) {
                    out.push_back('\\');
                    out.push_back(ch);
                } else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
                    append_hex_escape(out, c);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back(quote);
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out.append("&amp;"); break;
            case '<': out.append("&lt;"); break;
            case '>': out.append("&gt;"); break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string format_error_page(std::string_view format, int code, std::string_view message,
                              std::string_view explain) {
    std::string out;
    out.reserve(format.size() + message.size() + explain.size());
    std::size_t i = 0;
    while (i < format.size()) {
        if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '%') {
            out.push_back('%');
            i += 2;
            continue;
        }
        if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '(') {
            const auto close = format.find(')', i + 2);
            if (close != std::string_view::npos && close + 1 < format.size()) {
                const auto key = format.substr(i + 2, close - i - 2);
                if (key == "code") {
                    out.append(std::to_string(code));
                } else if (key == "message") {
                    out.append(message);
                } else if (key == "explain") {
                    out.append(explain);
                } else {
                    out.append(format.substr(i, close + 2 - i));
                }
                i = close + 2;  // the key's conversion letter (d or s)
                continue;
            }
        }
        out.push_back(format[i++]);
    }
    return out;
}

}  // namespace mockserve::http::detail
