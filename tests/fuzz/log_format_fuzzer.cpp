// What the log and the error pages make of text a client sent
// (lib/src/log_format.hpp). Properties, for any bytes:
//   - python_repr and escape_control_characters leave no control character
//     (C0, DEL) in their output: a request cannot start a line of its own
//     in the log, nor move a terminal's cursor;
//   - html_escape leaves no '<', '>' or an '&' that does not start an
//     entity: a request cannot put markup on an error page;
//   - percent_format inserts its arguments and nothing else: with no '%'
//     in the format, the format comes back unchanged.

#include "fuzz_property.hpp"

#include "log_format.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

bool has_control_character(std::string_view text) {
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

bool is_html_safe(std::string_view text) {
    if (text.find_first_of("<>") != std::string_view::npos) return false;
    for (std::size_t at = text.find('&'); at != std::string_view::npos; at = text.find('&', at + 1)) {
        const auto rest = text.substr(at);
        if (!rest.starts_with("&amp;") && !rest.starts_with("&lt;") && !rest.starts_with("&gt;")) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string repr = python_repr(text);
    check_property(!has_control_character(repr), "repr() leaves no control character");
    check_property(repr.size() >= 2 && (repr.front() == '\'' || repr.front() == '"') && repr.back() == repr.front(),
                   "repr() is quoted");
    check_property(!has_control_character(escape_control_characters(text)),
                   "escape_control_characters leaves no control character");
    check_property(is_html_safe(html_escape(text)), "html_escape leaves no markup");
    if (text.find('%') == std::string_view::npos)
        check_property(percent_format(text, nullptr, 0) == text, "a format without '%' comes back unchanged");
    const std::string argument(text);
    check_property(percent_format("%s", &argument, 1) == text, "%s inserts its argument as it is");
    return 0;
}
