#pragma once
// The values the scenario file and ScenarioBuilder share the syntax of.

#include <mockserve/scenario/scenario.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

// "[METHODS] PATH" into `pattern` (methods "GET" or "GET|HEAD"; PATH "/a",
// "/a/*" or "~ regex"). Returns what is wrong, or "" when nothing is.
std::string parse_request_line(const std::string& text, RequestPattern& pattern);
// "N", ">=N" or "<=N".
std::optional<CountRule> parse_count(std::string_view text);
// Each of these returns what is wrong with a value, or "" when nothing is.
// A status, 100-599, into `status`.
std::string parse_status(std::string_view text, int& status);
std::string check_protocol(std::string_view text);  // HTTP/1.0 or HTTP/1.1
// A response field's value or reason phrase, `key` naming it in the message:
// no control character but HTAB, so that a response cannot be split.
std::string check_response_text(std::string_view key, std::string_view value);
// request.body_regex and request.json, set into `pattern` when valid.
std::string set_body_regex(const std::string& expression, RequestPattern& pattern);
std::string set_json(const std::string& json, RequestPattern& pattern);
// response.fault: "reset", "close" or "truncate", with an optional
// probability ("reset 10%", "close 0.5%").
std::string parse_fault(std::string_view text, CannedResponse::Fault& fault, double& probability);

}  // namespace mockserve::scenario::detail
