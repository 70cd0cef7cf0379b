#pragma once
// A mime.types file (/etc/mime.types) read as Python's MimeTypes.readfp
// reads one:
//   - lines end at LF, CR or CRLF (Python reads the file with universal
//     newlines); each line's words are split at spaces, tabs, FF and VT;
//   - a word that starts with '#' ends the line ("a#b" is a word);
//   - the first word is the type, each later word a suffix: "text/html html
//     htm" maps ".html" and ".htm" to "text/html";
//   - a suffix named again takes the later type.
// The text is split in place: strings are made only for what the map keeps.

#include <mockserve/simple_http_request_handler.hpp>

#include <string_view>

namespace mockserve::http::detail {

void read_mime_types(std::string_view text, ExtensionsMap& map);

// Reads the file at `path` into `map`; a file that cannot be opened adds
// nothing (Python skips it too).
void read_mime_types_file(const char* path, ExtensionsMap& map);

}  // namespace mockserve::http::detail
