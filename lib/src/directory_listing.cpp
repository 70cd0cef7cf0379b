#include "directory_listing.hpp"

#include "log_format.hpp"
#include <mockserve/detail/text.hpp>
#include "url_path.hpp"

#include <algorithm>

namespace mockserve::http::detail {


std::string render_listing(std::string_view request_path, std::vector<ListingEntry> entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const ListingEntry& a, const ListingEntry& b) {
        const auto la = to_lower_ascii(a.name), lb = to_lower_ascii(b.name);
        return la != lb ? la < lb : a.name < b.name;
    });
    const std::string display_path = html_escape(unquote(request_path));
    const std::string title = "Directory listing for " + display_path;
    std::string page =
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
        "</title>\n</head>\n<body>\n<h1>" + title + "</h1>\n<hr>\n<ul>\n";
    for (const auto& entry : entries) {
        std::string display = entry.name;
        std::string link = entry.name;
        if (entry.is_directory) {
            display += "/";
            link += "/";
        }
        if (entry.is_link) display = entry.name + "@";  // a link to a directory still links with "/"
        page += "<li><a href=\"" + quote(link) + "\">" + html_escape(display) + "</a></li>\n";
    }
    page += "</ul>\n<hr>\n</body>\n</html>\n";
    return page;
}

}  // namespace mockserve::http::detail
