// The environment of a CGI script (lib/src/cgi_environment.hpp), built from
// the fields of any request head the parser accepts. Properties:
//   - every variable is NAME=value with NAME of upper-case letters, digits
//     and '_', and no NUL anywhere (execve would cut it short);
//   - no name twice: a request header can never pose as another variable
//     (HTTP_X_USER from "X_User" beside "X-User", CONTENT_TYPE, PATH...);
//   - no HTTP_PROXY (httpoxy), and HTTP_* comes only from the request.

#include "fuzz_property.hpp"

#include "cgi_environment.hpp"
#include "request_head.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace {

using namespace mockserve::http;
using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

bool is_variable_name(std::string_view name) {
    if (name.empty()) return false;
    for (const char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    static const Limits limits;
    const auto parsed = parse_request_head(input, limits);
    const auto* head = std::get_if<RequestHead>(&parsed);
    if (!head) return 0;

    CgiRequest request;
    request.server_software = "mockserve";
    request.server_name = "localhost";
    request.server_port = 8000;
    request.server_protocol = head->version;
    request.request_method = head->method;
    request.path_info = head->target;
    request.script_name = "/cgi-bin/script";
    request.remote_addr = "127.0.0.1";
    request.headers = &head->headers;
    // The server's own environment, with an HTTP_* that must not get through.
    const char* const inherited[] = {"PATH=/usr/bin:/bin", "HTTP_INHERITED=from the server", nullptr};
    const auto environment = build_cgi_environment(request, inherited);

    std::set<std::string> names;
    for (const auto& variable : environment.variables) {
        const auto equals = variable.find('=');
        check_property(equals != std::string::npos, "a variable is NAME=value");
        const std::string name = variable.substr(0, equals);
        check_property(is_variable_name(name), "a variable's name is upper case, digits and '_'");
        check_property(variable.find('\0') == std::string::npos, "no NUL in a variable");
        check_property(names.insert(name).second, "no variable twice: a header cannot pose as another variable");
        check_property(name != "HTTP_PROXY", "no HTTP_PROXY (httpoxy)");
        check_property(name != "HTTP_INHERITED", "the server's own HTTP_* variables are not passed on");
    }
    return 0;
}
