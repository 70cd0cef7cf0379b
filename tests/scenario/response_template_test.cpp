// ResponseTemplate: {{...}} compiled once, filled from a request, escaped for
// where it lands.
#include "response_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using Escape = ResponseTemplate::Escape;

struct Request {
    std::vector<Field> query{{"page", "2"}, {"q", "a\"b"}};
    std::vector<Field> headers{{"X-Trace", "t-1"}, {"Content-Type", "application/json"}};
    std::vector<std::string> groups{"/orders/42", "42"};
    std::string body = R"({"name": "Ann \"the\" one", "id": 7, "items": [{"id": "i-1"}], "ok": true})";
    TemplateRequest view() const {
        TemplateRequest t;
        t.method = "POST";
        t.path = "/orders/42/lines";
        t.query = &query;
        t.headers = &headers;
        t.body = body;
        t.sequence = 12;
        t.path_groups = &groups;
        t.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
        std::uint64_t n = 0;
        t.random = [n]() mutable { return ++n * 0x9e3779b97f4a7c15ULL; };
        return t;
    }
};

std::string render(std::string_view text, Escape escape = Escape::none, int groups = 1) {
    std::string error;
    const auto compiled = ResponseTemplate::compile(text, groups, error);
    EXPECT_EQ(error, "");
    std::string out;
    compiled.render(Request().view(), escape, out);
    return out;
}

TEST(ResponseTemplate, FillsEveryName) {
    EXPECT_EQ(render("{{request.method}} {{ request.path }}"), "POST /orders/42/lines");
    EXPECT_EQ(render("{{request.path.0}}|{{request.path.1}}|{{request.path.2}}|{{request.path.9}}"), "orders|42|lines|");
    EXPECT_EQ(render("{{request.query.page}} {{request.query.none}}"), "2 ");
    EXPECT_EQ(render("{{request.header.x-trace}}"), "t-1");
    EXPECT_EQ(render("{{request.match.0}} {{request.match.1}}"), "/orders/42 42");
    EXPECT_EQ(render("#{{seq}}"), "#12");
    EXPECT_EQ(render("{{now}}"), "2023-11-14T22:13:20Z");
    EXPECT_THAT(render("{{uuid}}"), MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    EXPECT_EQ(render("no braces at all"), "no braces at all");
}

TEST(ResponseTemplate, JsonPointerGivesAStringsContentAndOtherValuesAsJson) {
    EXPECT_EQ(render(R"({"id": {{request.json /id}}, "first": "{{request.json /items/0/id}}"})"),
              R"({"id": 7, "first": "i-1"})");
    EXPECT_EQ(render("{{request.json /ok}} {{request.json /items}} [{{request.json /missing}}]"),
              R"(true [{"id":"i-1"}] [])");
    EXPECT_EQ(render("{{request.json}}"), R"({"name":"Ann \"the\" one","id":7,"items":[{"id":"i-1"}],"ok":true})");
}

TEST(ResponseTemplate, InsertsAreEscapedInsideJsonSoAClientCannotBreakTheBody) {
    EXPECT_EQ(render(R"({"name": "{{request.json /name}}", "q": "{{request.query.q}}"})", Escape::json),
              R"({"name": "Ann \"the\" one", "q": "a\"b"})");
    EXPECT_EQ(render(R"({"items": {{request.json /items}}})", Escape::json), R"({"items": [{"id":"i-1"}]})");
    // Without JSON, text goes in as it came.
    EXPECT_EQ(render("{{request.query.q}}"), "a\"b");
}

TEST(ResponseTemplate, HeaderValuesLoseControlCharacters) {
    Request request;
    request.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"}};
    std::string error, out;
    ResponseTemplate::compile("{{request.header.X-Evil}}", -1, error).render(request.view(), Escape::header, out);
    EXPECT_EQ(out, "aSet-Cookie: x=1");
}

TEST(ResponseTemplate, MistakesAreFoundWhenCompiled) {
    const auto error_of = [](std::string_view text, int groups = -1) {
        std::string error;
        ResponseTemplate::compile(text, groups, error);
        return error;
    };
    EXPECT_THAT(error_of("{{request.colour}}"), HasSubstr("unknown template name {{request.colour}}"));
    EXPECT_THAT(error_of("{{seq extra}}"), HasSubstr("unknown template name {{seq extra}}"));
    EXPECT_EQ(error_of("open {{request.path"), "a template's '{{' at offset 5 has no '}}'");
    EXPECT_THAT(error_of("{{request.path.x}}"), HasSubstr("a path segment is numbered from 0"));
    EXPECT_THAT(error_of("{{request.match.1}}"), HasSubstr("the route's path is not a regular expression"));
    EXPECT_THAT(error_of("{{request.match.3}}", 2), HasSubstr("has 2 group(s)"));
    EXPECT_THAT(error_of("{{request.json id}}"), HasSubstr("a JSON pointer is empty or starts with '/'"));
    EXPECT_THAT(error_of("{{request.json /a~2}}"), HasSubstr("a JSON pointer"));
    EXPECT_THAT(error_of("{{request.header.bad name}}"), HasSubstr("unknown template name"));
}

TEST(ResponseTemplate, JsonMediaTypes) {
    EXPECT_TRUE(is_json_media_type("application/json"));
    EXPECT_TRUE(is_json_media_type("application/problem+json; charset=utf-8"));
    EXPECT_TRUE(is_json_media_type(" Application/JSON "));
    EXPECT_FALSE(is_json_media_type("text/plain"));
    EXPECT_FALSE(is_json_media_type("application/jsonl"));
}

}  // namespace
}  // namespace mockserve::scenario::detail
