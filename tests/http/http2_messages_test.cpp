// The HTTP/2 message rules, rule by rule (http2_messages.hpp).
#include "http2_messages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(Http2Preface, IsRecognisedWholeOrAsItArrives) {
    EXPECT_EQ(check_http2_preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), PrefaceCheck::yes);
    EXPECT_EQ(check_http2_preface(std::string_view("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04", 28)), PrefaceCheck::yes);
    EXPECT_EQ(check_http2_preface("PRI * HT"), PrefaceCheck::need_more);
    EXPECT_EQ(check_http2_preface("P"), PrefaceCheck::need_more);
    EXPECT_EQ(check_http2_preface("GET / HTTP/1.1\r\n"), PrefaceCheck::no);
    EXPECT_EQ(check_http2_preface("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), PrefaceCheck::no);
    EXPECT_EQ(check_http2_preface("POST"), PrefaceCheck::no);
}

TEST(Base64url, DecodesWithoutPaddingAndRefusesOtherText) {
    EXPECT_EQ(decode_base64url("AAMAAABkAAQCAAAAAAIAAAAA"),
              std::string("\x00\x03\x00\x00\x00\x64\x00\x04\x02\x00\x00\x00\x00\x02\x00\x00\x00\x00", 18));
    EXPECT_EQ(decode_base64url(""), "");
    EXPECT_EQ(decode_base64url("_-8"), std::string("\xff\xef", 2));
    EXPECT_EQ(decode_base64url("AA=="), std::nullopt);  // padding is not base64url's
    EXPECT_EQ(decode_base64url("A+/A"), std::nullopt);  // base64's own alphabet
    EXPECT_EQ(decode_base64url("A"), std::nullopt);     // a lone sixth of a byte
}

TEST(Http2Head, TakesTheStatusAndLowerCaseFields) {
    const auto head = http2_head_from_http1("HTTP/1.0 201 Created\r\nServer: x\r\nX-Thing: A b \r\nContent-Length: 12\r\n");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 201);
    EXPECT_EQ(head->fields, (Fields{{"server", "x"}, {"x-thing", "A b"}, {"content-length", "12"}}));
    EXPECT_EQ(head->content_length, 12u);
}

TEST(Http2Head, DropsTheFieldsHttp2Forbids) {
    const auto head = http2_head_from_http1(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\nTransfer-Encoding: chunked\r\n"
        "Upgrade: h2c\r\nVary: *\r\n");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->fields, (Fields{{"vary", "*"}}));
    EXPECT_FALSE(head->content_length);
}

TEST(Http2Head, KeepsOneLengthAndRepeatedFields) {
    const auto head = http2_head_from_http1("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->fields, (Fields{{"content-length", "3"}, {"set-cookie", "a"}, {"set-cookie", "b"}}));
}

TEST(Http2Head, RefusesWhatIsNotAStatusLine) {
    EXPECT_FALSE(http2_head_from_http1("HTTP/1.1 20 OK\r\n"));
    EXPECT_FALSE(http2_head_from_http1("HTTP/1.1 2000\r\n"));
    EXPECT_FALSE(http2_head_from_http1("FTP/1.1 200 OK\r\n"));
    EXPECT_FALSE(http2_head_from_http1("HTTP/1.1 099 Low\r\n"));
    ASSERT_TRUE(http2_head_from_http1("HTTP/1.1 204\r\n"));  // no reason phrase
}

TEST(RawResponse, SplitsAHandWrittenResponse) {
    const std::string raw = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody bytes";
    const auto split = split_raw_response(raw);
    ASSERT_TRUE(split);
    EXPECT_EQ(split->first.status, 200);
    EXPECT_EQ(raw.substr(split->second), "body bytes");
    EXPECT_FALSE(split_raw_response("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"));  // the head has not ended
    EXPECT_FALSE(split_raw_response("hello\r\n\r\n"));
}

TEST(ConnectionSpecific, IsCaseInsensitive) {
    EXPECT_TRUE(is_connection_specific("connection"));
    EXPECT_TRUE(is_connection_specific("TRANSFER-ENCODING"));
    EXPECT_FALSE(is_connection_specific("TE"));  // allowed as "trailers" in requests; never sent in responses here
    EXPECT_FALSE(is_connection_specific("Content-Length"));
}

}  // namespace
}  // namespace mockserve::http::detail
