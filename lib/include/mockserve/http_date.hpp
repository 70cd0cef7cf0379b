#pragma once
// HTTP dates (RFC 9110 section 5.6.7) and the log's date format.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace mockserve::http {

using SystemTime = std::chrono::system_clock::time_point;

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string format_http_date(SystemTime when);
// Parses the IMF-fixdate form and the two obsolete forms (RFC 850, asctime)
// that recipients must accept. Nothing when the text is not a date.
std::optional<SystemTime> parse_http_date(std::string_view text);
// "25/Nov/2026 22:37:22", local time, as Python's log_date_time_string.
std::string format_log_date(SystemTime when);

}  // namespace mockserve::http
