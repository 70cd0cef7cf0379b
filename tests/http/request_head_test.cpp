#include "request_head.hpp"

#include "framing.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

const Limits kLimits{};

std::variant<RequestHead, HttpError> parse(std::string_view text) { return parse_request_head(text, kLimits); }

int status_of(std::string_view text) {
    auto result = parse(text);
    if (auto* error = std::get_if<HttpError>(&result)) return error->status;
    return 0;
}

TEST(RequestHead, ParsesRequestLineAndFieldsInOrder) {
    auto result = parse("GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a:  2 \r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<RequestHead>(result));
    const auto& head = std::get<RequestHead>(result);
    EXPECT_EQ(head.method, "GET");
    EXPECT_EQ(head.target, "/a?b=1");
    EXPECT_EQ(head.version, "HTTP/1.1");
    EXPECT_EQ(head.minor, 1);
    EXPECT_EQ(head.request_line, "GET /a?b=1 HTTP/1.1");
    ASSERT_EQ(head.headers.get_all("X-A").size(), 2u);
    EXPECT_EQ(head.headers.get_all("x-A")[1], "2");
}

// The scanner's verdict on a head that arrives in two reads, split at `at`,
// then parsed and its framing checked: what the connection does with it.
struct Outcome {
    HeadScanner::State state;
    HeadExtent extent;
    int status;  // of the scanner's, parser's or framing's error; 0 for none
    bool operator==(const Outcome& o) const {
        return state == o.state && extent.begin == o.extent.begin && extent.end == o.extent.end && status == o.status;
    }
};

Outcome scan_split(std::string_view input, std::size_t at) {
    HeadScanner scanner(kLimits);
    auto state = scanner.scan(input.substr(0, at));
    if (state == HeadScanner::State::need_more) state = scanner.scan(input);
    if (state == HeadScanner::State::failed) return {state, {}, scanner.error().status};
    if (state == HeadScanner::State::need_more) return {state, {}, 0};
    const auto extent = scanner.extent();
    auto parsed = parse(input.substr(extent.begin, extent.end - extent.begin));
    if (auto* error = std::get_if<HttpError>(&parsed)) return {state, extent, error->status};
    auto framing = check_framing(std::get<RequestHead>(parsed), kLimits);
    if (auto* error = std::get_if<HttpError>(&framing)) return {state, extent, error->status};
    return {state, extent, 0};
}

TEST(RequestHead, TheVerdictDoesNotDependOnWhereTheInputIsSplit) {
    const std::string many_fields = [] {
        std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
        for (int i = 0; i < 120; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
        return head + "\r\n";
    }();
    const std::string cases[] = {
        "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\nNEXT",
        "\r\n\r\nGET / HTTP/1.0\nA: b\n\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\rHost: x\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n",  // never ends
        many_fields,
    };
    for (const auto& input : cases) {
        const auto whole = scan_split(input, input.size());
        for (std::size_t at = 0; at <= input.size(); ++at)
            ASSERT_TRUE(scan_split(input, at) == whole) << "split at " << at << " of " << ::testing::PrintToString(input);
    }
}

TEST(RequestHead, AbsoluteFormBecomesOriginFormWithItsAuthorityAsHost) {
    auto result = parse("GET http://api.example:8080/v1/a?x=%20 HTTP/1.1\r\nHost: ignored\r\nAccept: */*\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<RequestHead>(result));
    const auto& head = std::get<RequestHead>(result);
    EXPECT_EQ(head.target, "/v1/a?x=%20");
    EXPECT_EQ(head.request_line, "GET http://api.example:8080/v1/a?x=%20 HTTP/1.1");
    EXPECT_EQ(head.headers.get("Host"), "api.example:8080");
    EXPECT_EQ(head.headers.fields().front().first, "Host");  // in its place
    const auto http10 = parse("GET http://h HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(std::holds_alternative<RequestHead>(http10));
    EXPECT_EQ(std::get<RequestHead>(http10).target, "/");
    EXPECT_EQ(std::get<RequestHead>(http10).headers.get("Host"), "h");  // added
}

TEST(RequestHead, TargetFormsAndHostValues) {
    EXPECT_EQ(status_of("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
    EXPECT_EQ(status_of("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), 0);
    EXPECT_EQ(status_of("CONNECT example.com HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("CONNECT /a HTTP/1.1\r\nHost: x\r\n\r\n"), 0);  // origin-form is always accepted
    EXPECT_EQ(status_of("GET a HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    for (const std::string host : {"x", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080", "", "a-b.c_d~e", "a%2Db", "h:"})
        EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), 0) << host;
    for (const std::string host : {"a b", "a/b", "a,  b", "u@h", "h:x", "h:1:2", "[]", "[::1", "[::1]:x", "a%zz", "\xc3\xa9"})
        EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), 400) << host;
}

TEST(HeadScanner, AVersionlessRequestLineIsAWholeHead) {
    HeadScanner scanner(kLimits);
    EXPECT_EQ(scanner.scan("GET /x\r\n"), HeadScanner::State::complete);
    EXPECT_EQ(scanner.extent().end, 8u);
    HeadScanner versioned(kLimits);
    EXPECT_EQ(versioned.scan("GET /x HTTP/1.1\r\n"), HeadScanner::State::need_more);
}

TEST(RequestHead, AcceptsBareLineFeeds) { EXPECT_EQ(status_of("GET / HTTP/1.0\nA: b\n\n"), 0); }

TEST(RequestHead, RejectsMalformedRequestLines) {
    EXPECT_EQ(status_of("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET /\r\n\r\n"), 400);
    EXPECT_EQ(status_of("G@T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
}

TEST(RequestHead, VersionRules) {
    EXPECT_EQ(status_of("GET / HTTP/2.0\r\n\r\n"), 505);
    EXPECT_EQ(status_of("GET / HTTP/9.9\r\n\r\n"), 505);
    EXPECT_EQ(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
    EXPECT_EQ(status_of("GET / bogus\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/9.9.9\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.909876543210\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/-1._1\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / http/1.1\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.10\r\nHost: x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.0\r\n\r\n"), 0);
}

TEST(RequestHead, FieldRules) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n"), 400);
    constexpr char kNul[] = "GET / HTTP/1.1\r\nHost: x\r\nA: b\0c\r\n\r\n";
    EXPECT_EQ(status_of(std::string_view(kNul, sizeof kNul - 1)), 400);  // the whole head: 35 bytes, not 40
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nA: b\x1b\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: x\r\nA: tab\tand \xe9\r\n\r\n"), 0);
}

TEST(RequestHead, HostRules) {
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n"), 400);
    EXPECT_EQ(status_of("GET / HTTP/1.0\r\n\r\n"), 0);
}

TEST(RequestHead, TooManyFieldsIs431) {
    Limits limits;
    limits.max_header_count = 3;
    std::string text = "GET / HTTP/1.0\r\n";
    for (int i = 0; i < 4; ++i) text += "A" + std::to_string(i) + ": v\r\n";
    text += "\r\n";
    auto result = parse_request_head(text, limits);
    ASSERT_TRUE(std::holds_alternative<HttpError>(result));
    EXPECT_EQ(std::get<HttpError>(result).status, 431);
}

HeadScanner::State scan_all(HeadScanner& scanner, std::string_view input) {
    // Byte by byte, as the slowest client would send it.
    HeadScanner::State state = HeadScanner::State::need_more;
    for (std::size_t i = 1; i <= input.size() && state == HeadScanner::State::need_more; ++i)
        state = scanner.scan(input.substr(0, i));
    return state;
}

// What the one pass read, against what the rules read from the same head.
::testing::AssertionResult reads_as_the_rules_do(std::string_view text, const Limits& limits = kLimits) {
    RequestHead common;
    if (!parse_common_request_head(text, limits, common)) return ::testing::AssertionFailure() << "the one pass declined";
    RequestHead ruled;
    if (const auto refused = parse_request_head_by_the_rules(text, limits, ruled))
        return ::testing::AssertionFailure() << "the rules refuse it: " << refused->status << " " << refused->message;
    if (common.request_line != ruled.request_line || common.method != ruled.method || common.target != ruled.target ||
        common.version != ruled.version || common.major != ruled.major || common.minor != ruled.minor ||
        common.headers.fields() != ruled.headers.fields())
        return ::testing::AssertionFailure() << "the two read different requests";
    return ::testing::AssertionSuccess();
}

bool declined(std::string_view text, const Limits& limits = kLimits) {
    RequestHead head;
    return !parse_common_request_head(text, limits, head);
}

TEST(CommonRequestHead, ReadsTheUsualHeadsAsTheRulesDo) {
    EXPECT_TRUE(reads_as_the_rules_do("GET /canned HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"));
    EXPECT_TRUE(reads_as_the_rules_do("POST /a?b=%20c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nA:\r\n\r\n"));
    EXPECT_TRUE(reads_as_the_rules_do("GET / HTTP/1.0\n\n"));  // LF alone; HTTP/1.0 without Host
    EXPECT_TRUE(reads_as_the_rules_do("GET /\xc3\xa9 HTTP/1.1\r\nHost: [::1]:80\r\nA: \t tab\tand \xe9 \t\r\n\r\n"));
    EXPECT_TRUE(reads_as_the_rules_do("GET / HTTP/1.9\r\nhOsT: h\r\nX-Two: 1\r\nX-Two: 2\r\n\r\n"));
}

TEST(CommonRequestHead, LeavesEveryOtherHeadToTheRules) {
    EXPECT_TRUE(declined("GET http://h/a HTTP/1.1\r\nHost: h\r\n\r\n"));   // absolute-form
    EXPECT_TRUE(declined("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));        // asterisk-form
    EXPECT_TRUE(declined("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n"));    // authority-form
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\n\r\n"));                         // no Host
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));  // two
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"));          // not an authority
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"));
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: h\r\nA : b\r\n\r\n"));
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: h\r\nA: b\rc\r\n\r\n"));  // bare CR
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: h\r\nA: b\x01\r\n\r\n"));
    EXPECT_TRUE(declined("GET / HTTP/1.10\r\nHost: h\r\n\r\n"));
    EXPECT_TRUE(declined("GET / HTTP/2.0\r\nHost: h\r\n\r\n"));
    EXPECT_TRUE(declined("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"));
    EXPECT_TRUE(declined("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"));
    Limits few;
    few.max_header_count = 1;
    few.max_request_line = 16;
    EXPECT_TRUE(declined("GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n", few));  // over the count: 431 by the rules
    EXPECT_TRUE(declined("GET /0123456789 HTTP/1.1\r\nHost: h\r\n\r\n", few));  // over the line: 414
}

TEST(HeadScanner, FindsTheEndAndSkipsLeadingEmptyLines) {
    HeadScanner scanner(kLimits);
    const std::string input = "\r\n\r\nGET / HTTP/1.0\r\nA: b\r\n\r\nNEXT";
    ASSERT_EQ(scan_all(scanner, input), HeadScanner::State::complete);
    EXPECT_EQ(scanner.extent().begin, 4u);
    EXPECT_EQ(input.substr(scanner.extent().end), "NEXT");
}

TEST(HeadScanner, LongRequestLineIs414BeforeItEnds) {
    Limits limits;
    limits.max_request_line = 100;
    HeadScanner scanner(limits);
    const std::string input = "GET /" + std::string(200, 'a');
    ASSERT_EQ(scanner.scan(input), HeadScanner::State::failed);
    EXPECT_EQ(scanner.error().status, 414);
}

TEST(HeadScanner, LargeHeadIs431) {
    Limits limits;
    limits.max_header_bytes = 1000;
    HeadScanner scanner(limits);
    std::string input = "GET / HTTP/1.0\r\n";
    while (input.size() < 1200) input += "X-Filler: aaaaaaaaaaaaaaaaaaaa\r\n";
    ASSERT_EQ(scanner.scan(input), HeadScanner::State::failed);
    EXPECT_EQ(scanner.error().status, 431);
}

TEST(HeadScanner, StartedOnlyOnceARequestByteArrives) {
    HeadScanner scanner(kLimits);
    EXPECT_EQ(scanner.scan("\r"), HeadScanner::State::need_more);
    EXPECT_FALSE(scanner.started());
    EXPECT_EQ(scanner.scan("\r\nG"), HeadScanner::State::need_more);
    EXPECT_TRUE(scanner.started());
}

}  // namespace
}  // namespace mockserve::http::detail
