#include "mime_types_file.hpp"

#include <cstdio>
#include <string>

namespace mockserve::http::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The next word of `line`, which loses it and the white space before it.
std::string_view next_word(std::string_view& line) {
    std::size_t begin = 0;
    while (begin < line.size() && is_space(line[begin])) ++begin;
    std::size_t end = begin;
    while (end < line.size() && !is_space(line[end])) ++end;
    const auto word = line.substr(begin, end - begin);
    line.remove_prefix(end);
    return word;
}

}  // namespace

void read_mime_types(std::string_view text, ExtensionsMap& map) {
    while (!text.empty()) {
        // A plain loop: find_first_of() calls memchr once per character.
        std::size_t end = 0;
        while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == text.size() ? end : end + 1);
        const auto type = next_word(line);
        if (type.empty() || type.front() == '#') continue;
        for (auto suffix = next_word(line); !suffix.empty() && suffix.front() != '#'; suffix = next_word(line)) {
            std::string key;
            key.reserve(suffix.size() + 1);
            key.append(1, '.').append(suffix);
            map.insert_or_assign(std::move(key), std::string(type));
        }
    }
}

void read_mime_types_file(const char* path, ExtensionsMap& map) {
    std::FILE* file = std::fopen(path, "rb");
    if (!file) return;
    std::string text;
    char block[16384];
    for (std::size_t got; (got = std::fread(block, 1, sizeof block, file)) > 0;) text.append(block, got);
    std::fclose(file);
    read_mime_types(text, map);
}

}  // namespace mockserve::http::detail
