#include "url_path.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

TEST(Quote, AsPythonsQuoteWithSlashSafe) {
    EXPECT_EQ(quote("a b&c/d~e_f.g-h"), "a%20b%26c/d~e_f.g-h");
    EXPECT_EQ(quote("caf\xc3\xa9"), "caf%C3%A9");
    EXPECT_EQ(quote("<x>"), "%3Cx%3E");
}

TEST(Normpath, AsPosixpath) {
    EXPECT_EQ(normpath("/a/./b/../c"), "/a/c");
    EXPECT_EQ(normpath("/../../etc"), "/etc");
    EXPECT_EQ(normpath("a/../../b"), "../b");
    EXPECT_EQ(normpath("//a//b/"), "//a/b");
    EXPECT_EQ(normpath("///a"), "/a");
    EXPECT_EQ(normpath(""), ".");
}

TEST(TranslatePath, NeverLeavesTheDirectory) {
    const std::string root = "/srv/www";
    EXPECT_EQ(translate_path(root, "/index.html?x=1#top"), "/srv/www/index.html");
    EXPECT_EQ(translate_path(root, "/"), "/srv/www/");
    EXPECT_EQ(translate_path(root, "/sub/"), "/srv/www/sub/");
    EXPECT_EQ(translate_path(root, "/../../etc/passwd"), "/srv/www/etc/passwd");
    EXPECT_EQ(translate_path(root, "/%2e%2e/%2e%2e/etc/passwd"), "/srv/www/etc/passwd");
    EXPECT_EQ(translate_path(root, "/a%2f..%2f..%2fetc%2fpasswd"), "/srv/www/etc/passwd");
    EXPECT_EQ(translate_path(root, "/%252e%252e/x"), "/srv/www/%2e%2e/x");
    EXPECT_EQ(translate_path(root, "/..\\..\\etc"), "/srv/www/..\\..\\etc");  // one (odd) name
    EXPECT_EQ(translate_path(root, "/a%00b"), "");
    EXPECT_EQ(translate_path(root, "/with%20space.txt"), "/srv/www/with space.txt");
    EXPECT_EQ(translate_path(root, "/notes.txt%2f"), "/srv/www/notes.txt/");  // a folder, however spelt
    EXPECT_EQ(translate_path(root, "/sub%2F"), "/srv/www/sub/");
}

TEST(TranslatePath, ADotDotTakesBackTheWordBeforeItAsNormpathWould) {
    EXPECT_EQ(translate_path("/srv/www", "/a/b/../c"), "/srv/www/a/c");
    EXPECT_EQ(translate_path("/srv/www", "/a/./b/../../c/"), "/srv/www/c/");
    EXPECT_EQ(translate_path("/srv/www/", "/a/.."), "/srv/www/");  // the root keeps its own slash
    EXPECT_EQ(translate_path("/srv/www", "/a/.."), "/srv/www");
    EXPECT_EQ(translate_path("", "/a/../b"), "/b");
    EXPECT_EQ(translate_path("root", "a/../../b"), "root/b");  // normpath keeps "../b"; the filter drops ".."
}

}  // namespace
}  // namespace mockserve::http::detail
