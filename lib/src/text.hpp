#pragma once
// Small helpers for the ASCII grammar of HTTP (RFC 9110 section 5.6).

#include <string>
#include <string_view>

namespace mockserve::http::detail {

// Without the optional white space (SP, HTAB) at both ends.
std::string_view trim_ows(std::string_view text);
std::string to_lower_ascii(std::string_view text);
// 0-15 for a hex digit, -1 for anything else.
int hex_digit_value(char c);

// Visits each element of a comma-separated list, trimmed, empty ones
// skipped (RFC 9110 section 5.6.1), until `visit` returns true; returns
// whether it did.
template <class Visit>
bool any_list_element(std::string_view list, Visit&& visit) {
    while (true) {
        const auto comma = list.find(',');
        const auto element = trim_ows(list.substr(0, comma));
        if (!element.empty() && visit(element)) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

}  // namespace mockserve::http::detail
