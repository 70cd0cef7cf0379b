#include <mockserve/scenario/scenario_loader.hpp>

#include "ini_reader.hpp"
#include "scenario_syntax.hpp"
#include "scenario_validation.hpp"
#include "upstream_url.hpp"

#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/detail/text.hpp>
#include <mockserve/scenario/scenario_search_path.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace mockserve::scenario {

namespace {

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// "150ms", "2s", "1.5s", "1m"; at most a day (a timeout or a delay longer
// than that is a mistake, and 1e50s does not fit in the milliseconds).
constexpr double kLongestDurationMs = 24.0 * 60 * 60 * 1000;
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) ++digits;
    if (digits == 0) return std::nullopt;
    const auto number = parse_number<double>(text.substr(0, digits));
    const auto unit = text.substr(digits);
    if (!number || *number < 0) return std::nullopt;
    double ms = 0;
    if (unit == "ms") {
        ms = *number;
    } else if (unit == "s") {
        ms = *number * 1000;
    } else if (unit == "m" || unit == "min") {
        ms = *number * 60'000;
    } else {
        return std::nullopt;
    }
    if (ms > kLongestDurationMs) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms + 0.5));
}

class Loader {
public:
    Loader(std::string label, std::filesystem::path base) : label_(std::move(label)), base_(std::move(base)) {}
    // For routes added to `running` at run time (parse_added_routes).
    Loader(std::string label, const Scenario& running) : label_(std::move(label)), running_(&running) {}

    LoadResult load(std::string_view text) {
        const auto document = detail::read_ini(text);
        for (const auto& error : document.errors) fail(error.line, error.message);
        for (const auto& section : document.sections) read_section(section);
        check_references();
        LoadResult result;
        if (errors_.empty()) {
            scenario_.file = label_;
            scenario_.text = std::string(text);
            result.scenario = std::move(scenario_);
        }
        result.errors = sorted_errors();
        return result;
    }

    RoutesResult load_routes(std::string_view text) {
        const auto document = detail::read_ini(text);
        for (const auto& error : document.errors) fail(error.line, error.message);
        for (const auto& section : document.sections) read_section(section);
        if (routes_.empty() && errors_.empty()) fail(1, "no [route SERVER NAME] section: nothing to add");
        // Checked as they will run: in front of the servers' own routes.
        Scenario probe = *running_;
        std::vector<std::size_t> added(probe.servers.size(), 0);
        for (const auto& pending : routes_) {
            const auto& name = pending.route.name;  // clang 14 cannot capture a structured binding
            const auto spec = std::find_if(probe.servers.begin(), probe.servers.end(),
                                           [&](const ServerSpec& s) { return s.name == pending.server; });
            if (spec == probe.servers.end()) {
                fail(pending.line, "route '" + name + "' names server '" + pending.server +
                                       "', which the scenario does not have");
                continue;
            }
            if (std::any_of(spec->routes.begin(), spec->routes.end(), [&](const Route& r) { return r.name == name; })) {
                fail(pending.line, "server '" + pending.server + "' already has a route named '" + name +
                                       "' (one added at run time is removed with DELETE /routes/" + pending.server +
                                       "/" + name + ")");
                continue;
            }
            auto& count = added[static_cast<std::size_t>(spec - probe.servers.begin())];
            spec->routes.insert(spec->routes.begin() + static_cast<std::ptrdiff_t>(count++), pending.route);
        }
        if (errors_.empty()) {
            const auto at = [this](int line) { return label_ + ":" + std::to_string(line); };
            detail::Locator where{[&](const ServerSpec&, const Route& route) { return at(route.line); },
                                  [&](const ServerSpec& server, const std::string&) { return at(server.line); },
                                  [&](const Expectation& expectation) { return at(expectation.line); }, at(1), at(1),
                                  [&](const std::string&) { return at(1); },
                                  [&](const ServerSpec& server, const Route& route, const std::string& key) {
                                      const auto it = route_key_lines_.find(std::make_tuple(server.name, route.name, key));
                                      return at(it != route_key_lines_.end() ? it->second : route.line);
                                  }};
            for (auto& error : detail::validate_routes(probe, where)) errors_.push_back(std::move(error));
        }
        RoutesResult result;
        result.errors = sorted_errors();
        if (result.errors.empty())
            for (auto& [server, line, route] : routes_) result.routes.emplace_back(server, std::move(route));
        return result;
    }

private:
    // Found section by section, then across sections: reported in the
    // order of the file, as a person fixes them.
    std::vector<std::string> sorted_errors() {
        std::stable_sort(errors_.begin(), errors_.end(),
                         [this](const std::string& a, const std::string& b) { return line_of(a) < line_of(b); });
        return std::move(errors_);
    }

    // The LINE of "LABEL:LINE: message".
    int line_of(const std::string& error) const {
        int line = 0;
        for (std::size_t i = label_.size() + 1; i < error.size() && error[i] >= '0' && error[i] <= '9'; ++i)
            line = line * 10 + (error[i] - '0');
        return line;
    }

    void fail(int line, const std::string& message) { errors_.push_back(label_ + ":" + std::to_string(line) + ": " + message); }

    std::filesystem::path resolve(const std::string& path) const {
        const std::filesystem::path p(path);
        return (p.is_absolute() ? p : base_ / p).lexically_normal();
    }

    // A file the scenario names (a body, a certificate): --watch reloads
    // when it changes.
    std::string named_file(const std::string& path) {
        auto file = resolve(path).string();
        if (std::find(scenario_.files.begin(), scenario_.files.end(), file) == scenario_.files.end())
            scenario_.files.push_back(file);
        return file;
    }

    void read_section(const detail::IniSection& section) {
        const auto name = words(section.name);
        const std::string kind = name.empty() ? "" : name[0];
        if (running_ && !(kind == "route" && name.size() == 3))
            return fail(section.line, "only [route SERVER NAME] sections can be added to a running scenario, not [" +
                                          section.name + "]");
        if (kind == "scenario" && name.size() == 1) return read_scenario(section);
        if (kind == "server" && name.size() == 2) return read_server(section, name[1]);
        if (kind == "route" && name.size() == 3) return read_route(section, name[1], name[2]);
        if (kind == "expect" && name.size() == 3) return read_expect(section, name[1], name[2]);
        if (kind == "scenario" || kind == "server" || kind == "route" || kind == "expect") {
            const char* shape = kind == "scenario" ? "[scenario]" : kind == "server" ? "[server NAME]"
                              : kind == "route"    ? "[route SERVER NAME]"
                                                   : "[expect SERVER NAME]";
            return fail(section.line, "a " + kind + " section is written " + shape);
        }
        fail(section.line, "unknown section [" + section.name +
                               "]: expected [scenario], [server NAME], [route SERVER NAME] or [expect SERVER NAME]");
    }

    void read_scenario(const detail::IniSection& section) {
        if (seen_scenario_) fail(section.line, "a second [scenario] section");
        seen_scenario_ = true;
        for (const auto& entry : section.entries) {
            if (entry.key == "name") {
                scenario_.name = entry.value;
            } else if (entry.key == "journal") {
                if (entry.value == "on" || entry.value == "off") {
                    scenario_.journal.enabled = entry.value == "on";
                    journal_line_ = entry.line;
                } else {
                    fail(entry.line, "journal is on or off, not '" + entry.value + "'");
                }
            } else if (entry.key == "journal_max_bytes" || entry.key == "journal_max_body_bytes") {
                const auto bytes = parse_number<std::size_t>(entry.value);
                if (!bytes) {
                    fail(entry.line, entry.key + " is a number of bytes, not '" + entry.value + "'");
                } else {
                    (entry.key == "journal_max_bytes" ? scenario_.journal.max_total_bytes
                                                      : scenario_.journal.max_body_bytes) = *bytes;
                }
            } else if (entry.key == "tls.ca_cert" || entry.key == "tls.ca_key") {
                read_authority_key(entry);
            } else if (entry.key == "unmatched") {
                if (entry.value == "404" || entry.value == "fail") {
                    scenario_.unmatched = entry.value == "fail" ? Unmatched::fail : Unmatched::respond_404;
                } else {
                    fail(entry.line, "unmatched is 404 or fail, not '" + entry.value + "'");
                }
            } else if (entry.key == "control") {
                const auto port = parse_number<unsigned>(entry.value);
                if (!port || *port > 65535) {
                    fail(entry.line, "control is a port, 0-65535 (0: any free one), not '" + entry.value + "'");
                } else {
                    scenario_.control = static_cast<std::uint16_t>(*port);
                }
            } else if (entry.key == "control_bind") {
                boost::system::error_code ec;
                boost::asio::ip::make_address(entry.value, ec);
                if (ec) {
                    fail(entry.line, "control_bind is an IP address, not '" + entry.value + "'");
                } else {
                    scenario_.control_bind = entry.value;
                }
            } else if (entry.key == "seed") {
                if (const auto seed = parse_number<std::uint64_t>(entry.value)) {
                    scenario_.seed = *seed;
                } else {
                    fail(entry.line, "seed is a whole number from 0 to 18446744073709551615, not '" + entry.value + "'");
                }
            } else {
                unknown_key(entry, "name, journal, journal_max_bytes, journal_max_body_bytes, unmatched, seed, "
                                   "control, control_bind, tls.ca_cert, tls.ca_key");
            }
        }
    }

    void unknown_key(const detail::IniEntry& entry, const std::string& known) {
        fail(entry.line, "unknown key '" + entry.key + "' (known here: " + known + ")");
    }

    void read_duration(const detail::IniEntry& entry, std::chrono::milliseconds& into) {
        if (const auto d = parse_duration(entry.value)) {
            into = *d;
        } else {
            fail(entry.line, "'" + entry.value + "' is not a duration (say 150ms, 2s or 1m; at most a day)");
        }
    }

    // response.delay: "150ms", or "100ms..400ms" for a delay drawn
    // uniformly between the two.
    void read_delay(const detail::IniEntry& entry, CannedResponse& canned) {
        const auto dots = entry.value.find("..");
        const auto low = parse_duration(http::detail::trim_ows(std::string_view(entry.value).substr(0, dots)));
        const auto high = dots == std::string::npos
                              ? low
                              : parse_duration(http::detail::trim_ows(std::string_view(entry.value).substr(dots + 2)));
        if (!low || !high) {
            return fail(entry.line, "'" + entry.value + "' is not a duration or a range of them (say 150ms, 2s, "
                                    "or 100ms..400ms; at most a day)");
        }
        if (*high < *low)
            return fail(entry.line, "response.delay " + entry.value + ": the range's end is before its start");
        canned.delay = *low;
        canned.delay_max = *high;
    }

    // tls.ca_cert and tls.ca_key name the run's one authority: in [scenario],
    // or in a server's section (where a team may find it more natural); a
    // second, different one is a mistake.
    void read_authority_key(const detail::IniEntry& entry) {
        auto& field = entry.key == "tls.ca_cert" ? scenario_.authority.cert : scenario_.authority.key;
        if (entry.value.empty()) return fail(entry.line, entry.key + " needs a value");
        const auto path = named_file(entry.value);
        if (!field.empty() && field != path)
            return fail(entry.line, "the run has one authority: " + entry.key + " is already " + field + " (line " +
                                        std::to_string(authority_lines_[entry.key]) + ")");
        field = path;
        authority_lines_[entry.key] = entry.line;
    }

    void read_server(const detail::IniSection& section, const std::string& name) {
        if (server_lines_.count(name)) {
            fail(section.line, "server '" + name + "' is declared twice (first at line " +
                                   std::to_string(server_lines_[name]) + ")");
            return;
        }
        server_lines_[name] = section.line;
        ServerSpec server;
        server.name = name;
        server.line = section.line;
        for (const auto& entry : section.entries) {
            const auto& key = entry.key;
            if (key == "bind") {
                server.bind = entry.value;
            } else if (key == "port") {
                const auto port = parse_number<unsigned>(entry.value);
                if (!port || *port > 65535) {
                    fail(entry.line, "port must be 0-65535, not '" + entry.value + "'");
                } else {
                    server.port = static_cast<std::uint16_t>(*port);
                }
            } else if (key == "protocol") {
                if (const auto error = detail::check_protocol(entry.value); !error.empty()) fail(entry.line, error);
                server.protocol = entry.value;
            } else if (key == "threads") {
                const auto threads = parse_number<unsigned>(entry.value);
                if (!threads || *threads == 0 || *threads > 256) {
                    fail(entry.line, "threads must be 1-256, not '" + entry.value + "'");
                } else {
                    server.limits.threads = *threads;
                }
            } else if (key == "max_body_size") {
                if (const auto size = parse_number<std::uint64_t>(entry.value)) {
                    server.limits.max_body_size = *size;
                } else {
                    fail(entry.line, "max_body_size is a number of bytes, not '" + entry.value + "'");
                }
            } else if (key == "request_timeout") {
                read_duration(entry, server.limits.request_timeout);
            } else if (key == "keep_alive_timeout") {
                read_duration(entry, server.limits.keep_alive_timeout);
            } else if (key == "io_timeout") {
                read_duration(entry, server.limits.io_timeout);
            } else if (key == "cgi_timeout") {
                read_duration(entry, server.limits.cgi_timeout);
            } else if (key == "http2") {
                if (entry.value == "on" || entry.value == "off") {
                    server.http2 = entry.value == "on";
                } else {
                    fail(entry.line, "http2 is on or off, not '" + entry.value + "'");
                }
            } else if (key == "max_concurrent_streams") {
                const auto streams = parse_number<std::size_t>(entry.value);
                if (!streams || *streams == 0 || *streams > 100000) {
                    fail(entry.line, "max_concurrent_streams must be 1-100000, not '" + entry.value + "'");
                } else {
                    server.limits.max_concurrent_streams = *streams;
                }
            } else if (key == "max_requests_per_connection") {
                const auto requests = parse_number<std::size_t>(entry.value);
                if (!requests) {
                    fail(entry.line, "max_requests_per_connection must be a number (0: no cap), not '" + entry.value + "'");
                } else {
                    server.limits.max_requests_per_connection = *requests;
                }
            } else if (key == "tls") {
                if (entry.value == "on" || entry.value == "off") {
                    server.tls.enabled = entry.value == "on";
                } else {
                    fail(entry.line, "tls is on or off, not '" + entry.value + "'");
                }
            } else if (key == "tls.cert" || key == "tls.key" || key == "tls.password_file" || key == "tls.client_ca") {
                key_lines_[{name, key}] = entry.line;
                if (entry.value.empty()) {
                    fail(entry.line, key + " needs a value");
                    continue;
                }
                auto& field = key == "tls.cert" ? server.tls.cert
                            : key == "tls.key"  ? server.tls.key
                            : key == "tls.password_file" ? server.tls.password_file
                                                         : server.tls.client_ca;
                field = key == "tls.client_ca" && entry.value == "generate" ? entry.value : named_file(entry.value);
            } else if (key == "tls.ca_cert" || key == "tls.ca_key") {
                read_authority_key(entry);
            } else if (key == "cgi_user") {
                if (entry.value.empty() || !http::script_user(entry.value)) {
                    fail(entry.line, "cgi_user '" + entry.value + "' is not a user on this machine (give a user name, "
                                                                  "or current for mockserve's own)");
                } else {
                    server.cgi_user = entry.value;
                }
            } else {
                unknown_key(entry, "bind, port, protocol, threads, max_body_size, request_timeout, "
                                   "keep_alive_timeout, io_timeout, cgi_timeout, cgi_user, tls, tls.cert, tls.key, "
                                   "tls.password_file, tls.client_ca, tls.ca_cert, tls.ca_key");
            }
        }
        scenario_.servers.push_back(std::move(server));
    }

    // The `request` key and the request.* keys; false if `entry` is not one.
    bool read_condition(const detail::IniEntry& entry, RequestPattern& request) {
        const auto& key = entry.key;
        const auto& value = entry.value;
        if (key == "request") {
            if (const auto error = detail::parse_request_line(value, request); !error.empty()) fail(entry.line, error);
        } else if (key == "request.query") {
            const auto equals = value.find('=');
            if (equals == std::string::npos || equals == 0) {
                fail(entry.line, "request.query is name=value, not '" + value + "'");
            } else {
                request.query.emplace_back(value.substr(0, equals), value.substr(equals + 1));
            }
        } else if (key == "request.header") {
            const auto colon = value.find(':');
            const auto name = colon == std::string::npos ? std::string_view() : http::detail::trim_ows(std::string_view(value).substr(0, colon));
            if (!http::detail::is_token(name)) {
                fail(entry.line, "request.header is 'Name: value' (or 'Name: *'), not '" + value + "'");
            } else {
                const auto wanted = http::detail::trim_ows(std::string_view(value).substr(colon + 1));
                request.headers.emplace_back(std::string(name), wanted == "*" ? std::nullopt
                                                                               : std::optional<std::string>(wanted));
            }
        } else if (key == "request.body") {
            request.body = value;
        } else if (key == "request.body_contains") {
            request.body_contains = value;
        } else if (key == "request.body_regex") {
            if (const auto error = detail::set_body_regex(value, request); !error.empty()) fail(entry.line, error);
        } else if (key == "request.json") {
            if (const auto error = detail::set_json(value, request); !error.empty()) fail(entry.line, error);
        } else {
            return false;
        }
        return true;
    }

    void read_route(const detail::IniSection& section, const std::string& server, const std::string& name) {
        Route route;
        route.name = name;
        route.line = section.line;
        std::optional<CannedResponse> canned;
        std::optional<Proxy> proxy;
        std::vector<std::pair<std::string, int>> actions;  // kind, line
        std::optional<int> body_line;
        for (const auto& entry : section.entries) {
            const auto& key = entry.key;
            if (read_condition(entry, route.request)) continue;
            route_key_lines_.emplace(std::make_tuple(server, name, key), entry.line);
            const bool proxy_key = key == "proxy" || key.rfind("proxy.", 0) == 0;
            if (running_ && (key == "static" || key == "cgi" || key == "response.body_file" || proxy_key)) {
                // A way in for any web page the user visits, otherwise.
                fail(entry.line, key + " cannot be given to a route added at run time: the control API never reads "
                                       "files, runs programs or reaches other servers (give the body inline with "
                                       "response.body, or put the route in the scenario file)");
                if (key == "static" || key == "cgi" || key == "proxy") actions.emplace_back(key, entry.line);  // refused, not missing
                continue;
            }
            if (proxy_key) {
                if (key == "proxy") actions.emplace_back(key, entry.line);
                read_proxy_key(entry, proxy.has_value() ? *proxy : proxy.emplace());
                continue;
            }
            if (key == "static" || key == "cgi") {
                const auto directory = resolve(entry.value);
                std::error_code ec;
                if (!std::filesystem::is_directory(directory, ec)) {
                    fail(entry.line, key + " = " + entry.value + ": no such folder (" + directory.string() + ")");
                }
                actions.emplace_back(key, entry.line);
                if (key == "static") {
                    route.action = StaticTree{directory.string()};
                } else {
                    route.action = CgiScripts{directory.string()};
                }
                continue;
            }
            if (key == "times") {
                const auto times = parse_number<std::uint64_t>(entry.value);
                if (!times || *times == 0) {
                    fail(entry.line, "times is a number of requests, at least 1, not '" + entry.value + "'");
                } else {
                    route.times = *times;
                }
                continue;
            }
            if (key == "state" || key == "next_state") {
                const auto state = StateRef::parse(entry.value);
                if (!state) {
                    fail(entry.line, key + " is STATE or MACHINE:STATE (letters, digits, '_', '-', '.'), not '" +
                                         entry.value + "'");
                } else {
                    (key == "state" ? route.state : route.next_state) = *state;
                }
                continue;
            }
            if (key != "response" && key.rfind("response.", 0) != 0) {
                unknown_key(entry, "request, request.query, request.header, request.body, request.body_contains, "
                                   "request.body_regex, request.json, times, state, next_state, response, "
                                   "response.reason, response.header, response.body, response.body_file, "
                                   "response.template, response.delay, response.fault, response.chunk_size, "
                                   "response.chunk_delay, response.event, response.event_delay, "
                                   "response.event_repeat, static, cgi, proxy, proxy.strip_prefix, proxy.header, "
                                   "proxy.ca_file, proxy.insecure, proxy.timeout, proxy.record");
                continue;
            }
            if (!canned) {
                canned.emplace();
                actions.emplace_back("response", entry.line);
            }
            if (key == "response") {
                if (const auto error = detail::parse_status(entry.value, canned->status); !error.empty())
                    fail(entry.line, error);
            } else if (key == "response.reason") {
                if (const auto error = detail::check_response_text(key, entry.value); !error.empty())
                    fail(entry.line, error);
                canned->reason = entry.value;
            } else if (key == "response.header") {
                const auto colon = entry.value.find(':');
                const auto header = colon == std::string::npos ? std::string_view() : http::detail::trim_ows(std::string_view(entry.value).substr(0, colon));
                if (!http::detail::is_token(header)) {
                    fail(entry.line, "response.header is 'Name: value', not '" + entry.value + "'");
                } else if (const auto error = detail::check_response_text(key, entry.value); !error.empty()) {
                    fail(entry.line, error);
                } else {
                    canned->headers.emplace_back(std::string(header), std::string(http::detail::trim_ows(std::string_view(entry.value).substr(colon + 1))));
                }
            } else if (key == "response.body" || key == "response.body_file") {
                if (body_line) {
                    fail(entry.line, "a second response body (the first is at line " + std::to_string(*body_line) + ")");
                }
                body_line = entry.line;
                if (key == "response.body") {
                    canned->body = entry.value;
                } else {
                    const std::filesystem::path file = named_file(entry.value);
                    std::error_code ec;
                    // Only a file: a folder reads as empty, a device or a pipe
                    // (/dev/zero) may never end.
                    std::ifstream in;
                    if (std::filesystem::is_regular_file(file, ec)) in.open(file, std::ios::binary);
                    if (!in.is_open()) {
                        fail(entry.line, "response.body_file = " + entry.value + ": cannot read " + file.string() +
                                             " (a regular file is wanted)");
                    } else {
                        std::ostringstream content;
                        content << in.rdbuf();
                        canned->body = content.str();
                        canned->body_file = file.string();  // absolute: the text loads back from anywhere
                    }
                }
            } else if (key == "response.delay") {
                read_delay(entry, *canned);
            } else if (key == "response.fault") {
                if (const auto error = detail::parse_fault(entry.value, canned->fault, canned->fault_probability);
                    !error.empty())
                    fail(entry.line, error);
            } else if (key == "response.template" || key == "response.event_repeat") {
                if (entry.value != "on" && entry.value != "off") {
                    fail(entry.line, key + " is on or off, not '" + entry.value + "'");
                } else {
                    (key == "response.template" ? canned->template_on : canned->event_repeat) = entry.value == "on";
                }
            } else if (key == "response.chunk_size") {
                const auto size = parse_number<std::size_t>(entry.value);
                if (!size || *size == 0) {
                    fail(entry.line, "response.chunk_size is a number of bytes, at least 1, not '" + entry.value + "'");
                } else {
                    canned->chunk_size = *size;
                }
            } else if (key == "response.chunk_delay") {
                read_duration(entry, canned->chunk_delay);
            } else if (key == "response.event_delay") {
                read_duration(entry, canned->event_delay);
            } else if (key == "response.event") {
                // A value is one line: "\n" in it separates an event's lines.
                std::string text;
                for (std::size_t i = 0; i < entry.value.size(); ++i) {
                    if (entry.value[i] == '\\' && i + 1 < entry.value.size() && entry.value[i + 1] == 'n') {
                        text.push_back('\n');
                        ++i;
                    } else {
                        text.push_back(entry.value[i]);
                    }
                }
                canned->events.push_back(std::move(text));
            } else {
                unknown_key(entry, "response, response.reason, response.header, response.body, response.body_file, "
                                   "response.template, response.delay, response.fault, response.chunk_size, "
                                   "response.chunk_delay, response.event, response.event_delay, "
                                   "response.event_repeat");
            }
        }
        if (canned) route.action = std::move(*canned);
        if (proxy) {
            if (proxy->url.empty() && !running_) {
                fail(section.line, "route '" + name + "' has proxy.* keys but no proxy = URL");
            } else {
                route.action = std::move(*proxy);
            }
        }
        if (actions.empty()) {
            fail(section.line, "route '" + name + "' has no action: give it response = STATUS, static = DIR, cgi = DIR "
                               "or proxy = URL");
        } else if (actions.size() > 1) {
            fail(actions[1].second, "route '" + name + "' has two actions: " + actions[0].first + " (line " +
                                        std::to_string(actions[0].second) + ") and " + actions[1].first);
        }
        routes_.push_back({server, section.line, std::move(route)});
    }

    void read_proxy_key(const detail::IniEntry& entry, Proxy& proxy) {
        const auto& key = entry.key;
        const auto& value = entry.value;
        if (key == "proxy") {
            std::string error;
            if (!detail::UpstreamUrl::parse(value, error)) fail(entry.line, "proxy = " + value + ": " + error);
            proxy.url = value;
        } else if (key == "proxy.strip_prefix") {
            if (value.empty() || value.front() != '/') {
                fail(entry.line, "proxy.strip_prefix is a path prefix starting with '/', not '" + value + "'");
            } else {
                proxy.strip_prefix = value;
            }
        } else if (key == "proxy.header") {
            const auto colon = value.find(':');
            const auto header = colon == std::string::npos ? std::string_view() : http::detail::trim_ows(std::string_view(value).substr(0, colon));
            if (!http::detail::is_token(header)) {
                fail(entry.line, "proxy.header is 'Name: value', not '" + value + "'");
            } else if (const auto error = detail::check_response_text(key, value); !error.empty()) {
                fail(entry.line, error);
            } else {
                proxy.headers.emplace_back(std::string(header), std::string(http::detail::trim_ows(std::string_view(value).substr(colon + 1))));
            }
        } else if (key == "proxy.ca_file") {
            proxy.ca_file = named_file(value);
            std::error_code ec;
            if (!std::filesystem::is_regular_file(proxy.ca_file, ec))
                fail(entry.line, "proxy.ca_file = " + value + ": no such file (" + proxy.ca_file + ")");
        } else if (key == "proxy.insecure") {
            if (value != "on" && value != "off") {
                fail(entry.line, "proxy.insecure is on or off, not '" + value + "'");
            } else {
                proxy.insecure = value == "on";
            }
        } else if (key == "proxy.timeout") {
            const auto ms = parse_duration(value);
            if (!ms || ms->count() <= 0) {
                fail(entry.line, "proxy.timeout is a duration above zero (30s, 500ms), not '" + value + "'");
            } else {
                proxy.timeout = *ms;
            }
        } else if (key == "proxy.record") {
            if (value.empty()) {
                fail(entry.line, "proxy.record names the scenario file to write (FILE.ini)");
            } else {
                proxy.record = resolve(value).string();
            }
        } else {
            unknown_key(entry, "proxy, proxy.strip_prefix, proxy.header, proxy.ca_file, proxy.insecure, proxy.timeout, "
                               "proxy.record");
        }
    }

    void read_expect(const detail::IniSection& section, const std::string& server, const std::string& name) {
        Expectation expectation;
        expectation.server = server;
        expectation.name = name;
        expectation.line = section.line;
        for (const auto& entry : section.entries) {
            if (read_condition(entry, expectation.request)) continue;
            if (entry.key == "after") {
                if (entry.value.empty()) {
                    fail(entry.line, "after names another expectation: NAME, or SERVER/NAME");
                } else {
                    expectation.after = entry.value;
                }
                continue;
            }
            if (entry.key != "count") {
                unknown_key(entry, "request, request.query, request.header, request.body, request.body_contains, "
                                   "request.body_regex, request.json, count, after");
                continue;
            }
            if (const auto rule = detail::parse_count(entry.value)) {
                expectation.count = *rule;
            } else {
                fail(entry.line, "count is N, >=N or <=N, not '" + entry.value + "'");
            }
        }
        scenario_.expectations.push_back(std::move(expectation));
    }

    void check_references() {
        for (auto& [server, line, route] : routes_) {
            const std::string& owner = server;  // clang 14 cannot capture a structured binding
            auto it = std::find_if(scenario_.servers.begin(), scenario_.servers.end(),
                                   [&](const ServerSpec& s) { return s.name == owner; });
            if (it == scenario_.servers.end()) {
                fail(line, "route '" + route.name + "' names server '" + server + "', which is not declared");
                continue;
            }
            it->routes.push_back(std::move(route));
        }
        const auto at = [this](int line) { return label_ + ":" + std::to_string(line); };
        detail::Locator where{[&](const ServerSpec&, const Route& route) { return at(route.line); },
                              [&](const ServerSpec& server, const std::string& key) {
                                  const auto it = key_lines_.find({server.name, key});
                                  return at(it != key_lines_.end() ? it->second : server.line);
                              },
                              [&](const Expectation& expectation) { return at(expectation.line); }, at(journal_line_),
                              at(1), [&](const std::string& key) { return at(authority_lines_[key]); },
                              [&](const ServerSpec& server, const Route& route, const std::string& key) {
                                  const auto it = route_key_lines_.find(std::make_tuple(server.name, route.name, key));
                                  return at(it != route_key_lines_.end() ? it->second : route.line);
                              }};
        for (auto& error : detail::validate(scenario_, where)) errors_.push_back(std::move(error));
    }

    struct PendingRoute {
        std::string server;
        int line;
        Route route;
    };

    std::string label_;
    std::filesystem::path base_;
    const Scenario* running_ = nullptr;
    Scenario scenario_;
    std::vector<std::string> errors_;
    std::map<std::string, int> server_lines_;
    std::map<std::pair<std::string, std::string>, int> key_lines_;  // (server, tls.* key) -> line
    std::map<std::string, int> authority_lines_;                      // tls.ca_cert, tls.ca_key -> line
    // (server, route, response.* key) -> the line it was first given on
    std::map<std::tuple<std::string, std::string, std::string>, int> route_key_lines_;
    std::vector<PendingRoute> routes_;
    bool seen_scenario_ = false;
    int journal_line_ = 0;
};

}  // namespace

LoadResult parse_scenario(std::string_view text, const std::string& label, const std::filesystem::path& base) {
    return Loader(label, base).load(text);
}

RoutesResult parse_added_routes(std::string_view text, const std::string& label, const Scenario& running) {
    return Loader(label, running).load_routes(text);
}

LoadResult load_scenario(const std::filesystem::path& name) {
    const auto found = find_scenario_file(name);
    std::ifstream in;
    if (found) in.open(*found, std::ios::binary);
    if (!found || !in.is_open()) {
        LoadResult result;
        std::string message = name.string() + ":0: cannot read the scenario file";
        if (!found && name.is_relative()) {
            // Say where it was looked for: the usual cause is a test run from
            // another folder than its author's.
            message += " (looked in " + std::filesystem::current_path().string();
            for (const auto& folder : scenario_search_path()) message += ", " + folder.string();
            message += "; see MOCKSERVE_SCENARIO_PATH)";
        }
        result.errors.push_back(std::move(message));
        return result;
    }
    const auto& file = *found;
    std::ostringstream text;
    text << in.rdbuf();
    const auto base = std::filesystem::absolute(file).parent_path();
    auto result = parse_scenario(text.str(), file.string(), base);
    if (result.scenario) result.scenario->files.insert(result.scenario->files.begin(), std::filesystem::absolute(file).lexically_normal().string());
    return result;
}

}  // namespace mockserve::scenario
