#pragma once
// The bottom of the include graph: small, pure helpers for the ASCII grammar
// of HTTP (RFC 9110 section 5.6) and for request targets, shared by every
// layer (lib/ and mockserver/). It includes nothing of the project, so that
// any file may include it without pulling a higher layer in.
//
// Not part of the API: it is installed because the layers above lib/ use
// it, but a user should not rely on it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::http::detail {

// --- Tokens, white space, case ----------------------------------------------

// RFC 9110 tchar: what methods, header names and coding names are made of.
// Locale-independent (std::isalnum is not). Here, so that the parsers' own
// byte tables are built from this one definition.
constexpr std::array<bool, 256> make_tchar_table() {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}
inline constexpr auto kTchar = make_tchar_table();
constexpr bool is_tchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }
// One or more tchars.
bool is_token(std::string_view text);
// Without the optional white space (SP, HTAB) at both ends.
std::string_view trim_ows(std::string_view text);
std::string to_lower_ascii(std::string_view text);
// 0-15 for a hex digit, -1 for anything else.
int hex_digit_value(char c);
// 1*DIGIT as a 64-bit value; nothing for any other text, or on overflow.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

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

// --- Statuses ---------------------------------------------------------------

// Whether a response with this status may carry content: not 1xx, 204, 205
// or 304 (RFC 9110 sections 6.4.1 and 15.3.6; Python treats 205 so too).
constexpr bool status_has_body(int status) {
    return status >= 200 && status != 204 && status != 205 && status != 304;
}

// --- Request targets ----------------------------------------------------------

// urllib.parse.unquote: %XX sequences to bytes, once; a malformed one stays.
std::string unquote(std::string_view text);
// urllib.parse.unquote_plus: the same, and '+' is a space (query strings).
std::string unquote_plus(std::string_view text);
// The path part of a target: before '?' and '#'.
std::string_view path_part(std::string_view target);
// The rest of a target from its '?' or '#', or "".
std::string_view query_and_fragment(std::string_view target);
// The query of a target (after '?', before '#'), as decoded name-value pairs
// in order ("a=1&b&c=%2F" to a=1, b="", c="/"); empty items are skipped.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view target);

}  // namespace mockserve::http::detail
