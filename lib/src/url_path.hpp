#pragma once
// Request paths, as Python's urllib.parse and posixpath treat them. Pure.

#include <mockserve/detail/text.hpp>

#include <string>
#include <string_view>

namespace mockserve::http::detail {

// urllib.parse.quote(text, safe="/"): all but letters, digits, "_.-~/" as %XX.
std::string quote(std::string_view text);
// posixpath.normpath for an absolute or relative '/'-separated path.
std::string normpath(std::string_view path);
// SimpleHTTPRequestHandler.translate_path: the target's path, decoded once,
// normalised, its components joined under `directory`; "." and ".." and
// empty components dropped, so nothing outside `directory` can be named.
// A trailing slash is kept. A NUL byte gives "" (nothing may be opened).
std::string translate_path(std::string_view directory, std::string_view target);

// Python's _url_collapse_path: the query kept aside, the path decoded once,
// "." and ".." and empty components collapsed; always starts with '/'.
// Where Python raises IndexError for ".." above the root, this stays at the
// root, as translate_path does, so both always agree on what a path names.
std::string url_collapse_path(std::string_view path);

}  // namespace mockserve::http::detail
