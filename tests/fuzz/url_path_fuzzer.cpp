// Request paths (lib/src/url_path.hpp): SimpleHTTPRequestHandler's
// translate_path and CGIHTTPRequestHandler's _url_collapse_path, fed any
// target. Properties:
//   - translate_path never leaves the root: its result is "" (nothing may be
//     opened) or the root followed by components that are none of "", "."
//     and "..", with at most a trailing slash;
//   - _url_collapse_path starts with "/", and the path before its last
//     slash has no "", "." or ".." component: the CGI handler's check of
//     its script folder sees the path as it will be used;
//   - normpath never yields an empty path, and is idempotent.

#include "fuzz_property.hpp"

#include "url_path.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

bool plain_components(std::string_view path) {
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto part = path.substr(0, slash);
        if (part.empty() || part == "." || part == "..") return false;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return true;
}

void check_translate(std::string_view root, std::string_view target) {
    const std::string path = translate_path(root, target);
    if (path.empty()) return;
    check_property(path.starts_with(root), "translate_path starts at the root");
    std::string_view below(path);
    below.remove_prefix(root.size());
    if (!below.empty() && below.front() == '/') below.remove_prefix(1);
    if (!below.empty() && below.back() == '/') below.remove_suffix(1);
    check_property(plain_components(below), "translate_path names only plain components below the root");
    check_property(below.find('\0') == std::string_view::npos, "translate_path never holds a NUL byte");
}

void check_collapse(std::string_view target) {
    const std::string collapsed = url_collapse_path(target);
    check_property(!collapsed.empty() && collapsed.front() == '/', "_url_collapse_path starts with '/'");
    // The tail (after the last slash of the path, with the query) may hold
    // anything a decoded path or a query may; the head must be plain.
    const auto question = target.find('?');
    // Only a query that is not empty is appended (with its '?').
    const std::size_t query_length =
        question == std::string_view::npos || question + 1 == target.size() ? 0 : target.size() - question;
    const std::string_view path(collapsed.data(), collapsed.size() - query_length);
    const auto last_slash = path.rfind('/');
    const std::string_view head = path.substr(1, last_slash == 0 ? 0 : last_slash - 1);
    check_property(plain_components(head), "_url_collapse_path's folders are plain components");
    const auto tail = path.substr(last_slash + 1);
    check_property(tail != "." && tail != "..", "_url_collapse_path's last component is not '.' or '..'");
}

// translate_path as Python writes it (normpath, split, drop empty, "." and
// ".." words), for comparison with the one-pass version.
std::string translate_path_as_python(std::string_view directory, std::string_view decoded, bool trailing_slash) {
    const std::string normalized = normpath(decoded);
    std::string out(directory);
    std::string_view rest = normalized;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto word = rest.substr(0, slash);
        rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
        if (word.empty() || word == "." || word == "..") continue;
        if (out.empty() || out.back() != '/') out.push_back('/');
        out.append(word);
    }
    if (trailing_slash) out.push_back('/');
    return out;
}

void check_same_as_python(std::string_view directory, std::string_view target) {
    // A target without '%', '?', '#' or trailing blanks decodes to itself.
    if (target.find_first_of(std::string_view("%?#\0 \t", 6)) != std::string_view::npos) return;
    const bool trailing_slash = !target.empty() && target.back() == '/';
    check_property(translate_path(directory, target) == translate_path_as_python(directory, target, trailing_slash),
                   "translate_path names what Python's normpath-and-filter names");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view target(reinterpret_cast<const char*>(data), size);
    check_translate("/srv/www", target);
    check_translate("/", target);
    check_translate("relative/root", target);
    check_collapse(target);
    check_same_as_python("/srv/www", target);
    check_same_as_python("/srv/www/", target);
    check_same_as_python("", target);
    const std::string once = normpath(target);
    check_property(!once.empty(), "normpath is never empty");
    check_property(normpath(once) == once, "normpath is idempotent");
    return 0;
}
