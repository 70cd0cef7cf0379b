#include "url_path.hpp"

#include <mockserve/detail/text.hpp>

#include <algorithm>
#include <vector>

namespace mockserve::http::detail {

namespace {

bool always_safe(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-' || c == '~';
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

std::string quote(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (always_safe(c) || c == '/') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string normpath(std::string_view path) {
    if (path.empty()) return ".";
    // POSIX keeps exactly two leading slashes; Python's normpath does too.
    std::size_t leading = 0;
    while (leading < path.size() && path[leading] == '/') ++leading;
    const std::string prefix = leading == 0 ? "" : leading == 2 ? "//" : "/";
    std::vector<std::string_view> kept;
    for (const auto part : split(path, '/')) {
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!kept.empty() && kept.back() != "..") {
                kept.pop_back();
            } else if (prefix.empty()) {
                kept.push_back(part);  // a relative path keeps leading ".."
            }
            continue;
        }
        kept.push_back(part);
    }
    std::string out = prefix;
    for (std::size_t i = 0; i < kept.size(); ++i) {
        if (i > 0) out.push_back('/');
        out.append(kept[i]);
    }
    return out.empty() ? "." : out;
}

std::string translate_path(std::string_view directory, std::string_view target) {
    auto path = path_part(target);
    auto trimmed = path;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
    const std::string decoded = unquote(path);
    // Python looks for the slash before decoding, so "/notes.txt%2f" named
    // the file; either spelling of the slash names a folder.
    std::string_view decoded_trimmed = decoded;
    while (!decoded_trimmed.empty() && (decoded_trimmed.back() == ' ' || decoded_trimmed.back() == '\t'))
        decoded_trimmed.remove_suffix(1);
    const bool trailing_slash = (!trimmed.empty() && trimmed.back() == '/') ||
                                (!decoded_trimmed.empty() && decoded_trimmed.back() == '/');
    if (decoded.find('\0') != std::string::npos) return {};
    // Python normalises (posixpath.normpath), splits, and drops empty, "."
    // and ".." words. One pass does the same: a ".." takes back the word
    // before it, if one was kept (normpath keeps a leading ".." of a
    // relative path, and the filter then drops it: either way, nothing).
    std::string out;
    out.reserve(directory.size() + decoded.size() + 2);  // one allocation, not one per doubling
    out.assign(directory);
    const std::size_t root = out.size();
    std::string_view rest = decoded;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto word = rest.substr(0, slash);
        rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
        if (word.empty() || word == ".") continue;
        if (word == "..") {
            if (out.size() > root) out.resize(std::max(out.rfind('/'), root));  // words hold no '/'
            continue;
        }
        if (out.empty() || out.back() != '/') out.push_back('/');
        out.append(word);
    }
    if (trailing_slash) out.push_back('/');
    return out;
}

std::string url_collapse_path(std::string_view target) {
    const auto question = target.find('?');
    const auto query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    const std::string path = unquote(target.substr(0, question));
    const auto parts = split(path, '/');
    std::vector<std::string_view> head;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (parts[i] == "..") {
            if (!head.empty()) head.pop_back();  // above the root stays at the root
        } else if (!parts[i].empty() && parts[i] != ".") {
            head.push_back(parts[i]);
        }
    }
    std::string tail(parts.back());
    if (tail == "..") {
        if (!head.empty()) head.pop_back();
        tail.clear();
    } else if (tail == ".") {
        tail.clear();
    }
    if (!query.empty()) tail.append(1, '?').append(query);
    std::string collapsed = "/";
    for (std::size_t i = 0; i < head.size(); ++i) {
        if (i > 0) collapsed += "/";
        collapsed.append(head[i]);
    }
    return collapsed + "/" + tail;
}

}  // namespace mockserve::http::detail
