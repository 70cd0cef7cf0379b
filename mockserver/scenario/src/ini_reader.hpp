#pragma once
// IniReader: the scenario file's INI dialect, read with line numbers. Pure.
//   - "[words]" opens a section; its name is what is inside, trimmed;
//   - "key = value": the value is the rest of the line, trimmed; a key may
//     repeat; sections and keys keep their order;
//   - lines starting with '#' or ';' (after blanks) are comments; blank lines
//     are skipped; in a value, " # " (a '#' with white space on both sides,
//     or ending the line) starts a comment that runs to the line's end;
//   - anything else is an error, reported with its line.

#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario::detail {

struct IniEntry {
    std::string key;
    std::string value;
    int line = 0;
};

struct IniSection {
    std::string name;
    int line = 0;
    std::vector<IniEntry> entries;
};

struct IniError {
    int line = 0;
    std::string message;
};

struct IniDocument {
    std::vector<IniSection> sections;
    std::vector<IniError> errors;
};

IniDocument read_ini(std::string_view text);

// The text of each section, from its "[...]" line to the next one (what
// comes before the first is left out), as written.
std::vector<std::string> section_texts(std::string_view text);

}  // namespace mockserve::scenario::detail
