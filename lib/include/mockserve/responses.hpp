#pragma once
// The status table of BaseHTTPRequestHandler.responses: for each code, the
// short message (the reason phrase) and the long one (the error page's
// explanation), with Python's wording so error pages match byte for byte.

#include <map>
#include <string>
#include <utility>

namespace mockserve::http {

using ResponseTable = std::map<int, std::pair<std::string, std::string>>;

const ResponseTable& default_responses();

}  // namespace mockserve::http
