#include "log_format.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

TEST(PercentFormat, InsertsArgumentsLikePython) {
    const std::string args[] = {"GET / HTTP/1.1", "200", "it's"};
    EXPECT_EQ(percent_format("\"%s\" %d %r 100%%", args, 3), "\"GET / HTTP/1.1\" 200 \"it's\" 100%");
    EXPECT_EQ(percent_format("no args %s", nullptr, 0), "no args %s");
}

TEST(EscapeControlCharacters, AsPythonsControlCharTable) {
    EXPECT_EQ(escape_control_characters("a\x1b[31mb\r\n\\"), "a\\x1b[31mb\\x0d\\x0a\\\\");
    EXPECT_EQ(escape_control_characters("\x7f\x85"), "\\x7f\\x85");
    EXPECT_EQ(escape_control_characters("plain text"), "plain text");
}

TEST(PythonRepr, Quotes) {
    EXPECT_EQ(python_repr("SPAM"), "'SPAM'");
    EXPECT_EQ(python_repr("it's"), "\"it's\"");
    EXPECT_EQ(python_repr("a\tb"), "'a\\tb'");
}

TEST(FormatErrorPage, FillsPythonKeys) {
    EXPECT_EQ(format_error_page("%(code)d|%(message)s|%(code)s - %(explain)s|%%|%(other)s", 404, "m", "e"),
              "404|m|404 - e|%|%(other)s");
}

TEST(HtmlEscape, NoQuotes) { EXPECT_EQ(html_escape("<a href=\"x\">&</a>"), "&lt;a href=\"x\"&gt;&amp;&lt;/a&gt;"); }

}  // namespace
}  // namespace mockserve::http::detail
