// Scenario text (mockserver/scenario/src/ini_reader.hpp and
// <mockserve/scenario/scenario_loader.hpp>), any bytes. Properties:
//   - the INI reader gives every section, entry and error a line of the
//     text, in order;
//   - the loader never throws and never crashes: it gives a scenario or
//     errors, never both and never neither;
//   - every error is "FUZZ.ini:LINE: message" with LINE a line of the text;
//   - a canned response it accepts can be sent as it is: a status of three
//     digits, field names that are tokens, no CR, LF or NUL in a value or
//     the reason (a scenario cannot split its own responses).
//   - read as routes added to a running scenario (the control API's
//     POST /routes, whose body comes over the network), the same text
//     gives routes or located errors, and every route it gives is a canned
//     response: never a static tree, CGI scripts or a proxy (a page in a
//     browser must not make mockserve reach another server).
// Relative paths resolve against a folder that does not exist, so that no
// input reaches the machine's files through them.

#include "fuzz_property.hpp"

#include "ini_reader.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/scenario/scenario_loader.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace mockserve::scenario;
using mockserve::fuzz::check_property;

const std::string kLabel = "FUZZ.ini";

int line_count(std::string_view text) {
    return 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

void check_ini(std::string_view text) {
    const auto document = detail::read_ini(text);
    const int lines = line_count(text);
    int previous = 0;
    for (const auto& section : document.sections) {
        check_property(section.line > previous && section.line <= lines, "sections have increasing lines of the text");
        previous = section.line;
        for (const auto& entry : section.entries) {
            check_property(entry.line > previous && entry.line <= lines, "entries follow their section, in order");
            previous = entry.line;
        }
    }
    for (const auto& error : document.errors)
        check_property(error.line >= 1 && error.line <= lines && !error.message.empty(),
                       "an INI error has a line of the text and a message");
}

// "FUZZ.ini:LINE: message", LINE within the text.
bool is_located(const std::string& error, int lines) {
    if (!error.starts_with(kLabel + ":")) return false;
    std::size_t at = kLabel.size() + 1;
    int line = 0;
    while (at < error.size() && error[at] >= '0' && error[at] <= '9' && line <= lines) line = line * 10 + (error[at++] - '0');
    return line >= 1 && line <= lines && error.compare(at, 2, ": ") == 0 && error.size() > at + 2;
}

bool is_safe_value(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void check_canned(const Scenario& scenario) {
    for (const auto& server : scenario.servers) {
        for (const auto& route : server.routes) {
            const auto* canned = std::get_if<CannedResponse>(&route.action);
            if (!canned) continue;
            check_property(canned->status >= 100 && canned->status <= 999, "a canned status has three digits");
            check_property(is_safe_value(canned->reason), "a canned reason has no CR, LF or NUL");
            for (const auto& [name, value] : canned->headers) {
                check_property(mockserve::http::detail::is_token(name), "a canned field name is a token");
                check_property(is_safe_value(value), "a canned field value has no CR, LF or NUL");
            }
        }
    }
}

// The scenario the added routes join: two servers, "api" with a route.
const Scenario& running() {
    static const Scenario scenario = parse_scenario("[server api]\n[route api hello]\nrequest = GET /hello\n"
                                                    "response = 200\n[server admin]\n",
                                                    kLabel, "/nonexistent/mockserve-fuzz")
                                         .scenario.value();
    return scenario;
}

void check_added_routes(std::string_view text, int lines) {
    const auto added = parse_added_routes(text, kLabel, running());
    check_property(added.ok() != added.routes.empty(), "added routes or errors, never both, never neither");
    for (const auto& error : added.errors) check_property(is_located(error, lines), "every error has FILE:LINE of the text");
    Scenario joined;
    for (const auto& [server, route] : added.routes) {
        check_property(std::holds_alternative<CannedResponse>(route.action),
                       "a route added at run time is a canned response, never a static tree, CGI scripts or a proxy");
        check_property(server == "api" || server == "admin", "an added route names a server of the scenario");
        joined.servers.emplace_back().routes.push_back(route);
    }
    check_canned(joined);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_ini(text);
    const auto result = parse_scenario(text, kLabel, "/nonexistent/mockserve-fuzz");
    check_property(result.ok() == result.errors.empty(), "a scenario or errors, never both, never neither");
    const int lines = line_count(text);
    for (const auto& error : result.errors) check_property(is_located(error, lines), "every error has FILE:LINE of the text");
    if (result.scenario) check_canned(*result.scenario);
    check_added_routes(text, lines);
    return 0;
}
