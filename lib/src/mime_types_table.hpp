#pragma once
// The MIME types Python knows without reading any file.

#include <utility>
#include <vector>

namespace mockserve::http::detail {

const std::vector<std::pair<const char*, const char*>>& builtin_mime_types();

}  // namespace mockserve::http::detail
