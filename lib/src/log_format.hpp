#pragma once
// Text helpers for the log and error pages: Python's %-formatting, its
// control-character escaping, repr() of a string, HTML escaping.

#include <cstddef>
#include <string>
#include <string_view>

namespace mockserve::http::detail {

// printf-style formatting of already-stringified arguments: %s and %d insert
// the next argument, %r inserts it as Python's repr() of a str, %% is '%'.
std::string percent_format(std::string_view format, const std::string* args, std::size_t count);
// Python's _control_char_table: C0 and C1 controls, DEL and '\' as \xHH / '\\'.
std::string escape_control_characters(std::string_view text);
// Python's repr() of a str: quoted with ' (or " if the text holds ' but not "),
// non-printable characters escaped.
std::string python_repr(std::string_view text);
// html.escape(text, quote=False)
std::string html_escape(std::string_view text);
// Python's error_message_format % {'code':..., 'message':..., 'explain':...}
std::string format_error_page(std::string_view format, int code, std::string_view message, std::string_view explain);

}  // namespace mockserve::http::detail
