#pragma once
// The directory listing page, byte for byte as Python's list_directory()
// writes it. Pure: the caller reads the directory.

#include <string>
#include <string_view>
#include <vector>

namespace mockserve::http::detail {

struct ListingEntry {
    std::string name;
    bool is_directory = false;  // a link to a directory counts
    bool is_link = false;
};

// `request_path` is the handler's path as requested (still quoted); entries
// are sorted here, without regard to case.
std::string render_listing(std::string_view request_path, std::vector<ListingEntry> entries);

}  // namespace mockserve::http::detail
