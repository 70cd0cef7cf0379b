#include "directory_listing.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

TEST(DirectoryListing, MatchesPythonsPage) {
    // Python 3.11's list_directory() for the same entries, byte for byte.
    const std::string expected =
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Directory listing for /a b/&lt;x&gt;/</title>\n</head>\n<body>\n"
        "<h1>Directory listing for /a b/&lt;x&gt;/</h1>\n<hr>\n<ul>\n"
        "<li><a href=\"a%26b.txt\">a&amp;b.txt</a></li>\n"
        "<li><a href=\"Beta/\">Beta/</a></li>\n"
        "<li><a href=\"caf%C3%A9.txt\">caf\xc3\xa9.txt</a></li>\n"
        "<li><a href=\"link/\">link@</a></li>\n"
        "<li><a href=\"with%20space.txt\">with space.txt</a></li>\n"
        "</ul>\n<hr>\n</body>\n</html>\n";
    const auto page = render_listing("/a%20b/%3Cx%3E/", {{"with space.txt", false, false},
                                                          {"link", true, true},
                                                          {"caf\xc3\xa9.txt", false, false},
                                                          {"Beta", true, false},
                                                          {"a&b.txt", false, false}});
    EXPECT_EQ(page, expected);
}

}  // namespace
}  // namespace mockserve::http::detail
