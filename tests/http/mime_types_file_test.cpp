#include "mime_types_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(MimeTypesFile, EachSuffixAfterTheTypeMapsToIt) {
    ExtensionsMap map;
    read_mime_types("text/html\thtml htm\napplication/json json\n", map);
    EXPECT_THAT(map, UnorderedElementsAre(Pair(".html", "text/html"), Pair(".htm", "text/html"),
                                          Pair(".json", "application/json")));
}

// As Python's readfp: a word that starts with '#' ends the line, a '#'
// inside a word does not.
TEST(MimeTypesFile, CommentsBeginOnlyAtAWord) {
    ExtensionsMap map;
    read_mime_types("# a comment line\n"
                    "   # an indented one\n"
                    "text/x-c c#  # C, and C#\n"
                    "image/png png #png\n"
                    "#image/gif gif\n",
                    map);
    EXPECT_THAT(map, UnorderedElementsAre(Pair(".c#", "text/x-c"), Pair(".png", "image/png")));
}

TEST(MimeTypesFile, LinesEndAtLfCrOrCrLfAndWordsAtAnySpace) {
    ExtensionsMap map;
    read_mime_types("a/b x\r\nc/d y\re/f\fz\vw\n\n   \t\ng/h", map);
    EXPECT_THAT(map, UnorderedElementsAre(Pair(".x", "a/b"), Pair(".y", "c/d"), Pair(".z", "e/f"),
                                          Pair(".w", "e/f")));
}

TEST(MimeTypesFile, ASuffixNamedAgainTakesTheLaterType) {
    ExtensionsMap map{{".txt", "text/plain"}};
    read_mime_types("text/x-first txt\ntext/x-second txt\n", map);
    EXPECT_THAT(map, UnorderedElementsAre(Pair(".txt", "text/x-second")));
}

TEST(MimeTypesFile, AFileThatCannotBeReadAddsNothing) {
    ExtensionsMap map{{".txt", "text/plain"}};
    read_mime_types_file("/nonexistent/mime.types", map);
    EXPECT_THAT(map, UnorderedElementsAre(Pair(".txt", "text/plain")));
}

}  // namespace
}  // namespace mockserve::http::detail
