#include "ini_reader.hpp"

namespace mockserve::scenario::detail {

namespace {

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

// "2   # the first two": a '#' with white space on both sides (or at the
// line's end) starts a comment; "#fff", "/a#b" and "Item #3" are values.
std::string_view without_comment(std::string_view value) {
    for (std::size_t i = 1; i < value.size(); ++i) {
        if (value[i] != '#' || (value[i - 1] != ' ' && value[i - 1] != '\t')) continue;
        if (i + 1 == value.size() || value[i + 1] == ' ' || value[i + 1] == '\t') return trim(value.substr(0, i));
    }
    return value;
}

}  // namespace

IniDocument read_ini(std::string_view text) {
    IniDocument document;
    int number = 0;
    while (!text.empty()) {
        const auto lf = text.find('\n');
        const auto line = trim(text.substr(0, lf));
        text = lf == std::string_view::npos ? std::string_view() : text.substr(lf + 1);
        ++number;
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[') {
            if (line.back() != ']') {
                document.errors.push_back({number, "a section header must end with ']'"});
                continue;
            }
            document.sections.push_back({std::string(trim(line.substr(1, line.size() - 2))), number, {}});
            continue;
        }
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            document.errors.push_back({number, "expected 'key = value', a [section] or a comment"});
            continue;
        }
        const auto key = trim(line.substr(0, equals));
        if (key.empty()) {
            document.errors.push_back({number, "a key is missing before '='"});
            continue;
        }
        if (document.sections.empty()) {
            document.errors.push_back({number, std::string(1, '\'').append(key).append("' comes before any [section]")});
            continue;
        }
        document.sections.back().entries.push_back({std::string(key), std::string(without_comment(trim(line.substr(equals + 1)))), number});
    }
    return document;
}

std::vector<std::string> section_texts(std::string_view text) {
    std::vector<std::string> sections;
    while (!text.empty()) {
        const auto lf = text.find('\n');
        const auto line = text.substr(0, lf == std::string_view::npos ? text.size() : lf + 1);
        text.remove_prefix(line.size());
        if (trim(line).substr(0, 1) == "[") sections.emplace_back();
        if (!sections.empty()) sections.back().append(line);
    }
    for (auto& section : sections)
        if (section.empty() || section.back() != '\n') section.push_back('\n');
    return sections;
}

}  // namespace mockserve::scenario::detail
