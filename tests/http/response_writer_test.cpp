#include "response_writer.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

ResponseHead head(int status, std::string fields = "", bool has_length = false, std::uint64_t length = 0) {
    ResponseHead h;
    h.text = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + fields;
    h.status = status;
    h.has_length = has_length;
    h.length = length;
    return h;
}

constexpr ProtocolDecision kHttp11{false, true, true};

TEST(ResponseWriter, AddsContentLengthWhenTheBodyFits) {
    ResponseWriter w;
    w.begin(kHttp11, 1024);
    w.write_head(head(200));
    w.write("hello");
    EXPECT_TRUE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 X\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(ResponseWriter, GoesChunkedWhenTheBufferFills) {
    ResponseWriter w;
    w.begin(kHttp11, 4);
    w.write_head(head(200));
    w.write("hello");
    ASSERT_TRUE(w.wants_flush());
    w.commit();
    w.write("!");
    EXPECT_TRUE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n");
}

TEST(ResponseWriter, Http10ClientStreamsToClose) {
    ResponseWriter w;
    w.begin({false, false, true}, 4);
    w.write_head(head(200));
    w.write("hello");
    w.commit();
    EXPECT_FALSE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 X\r\nConnection: close\r\n\r\nhello");
}

TEST(ResponseWriter, HeadRequestsNeverCarryABody) {
    ResponseWriter w;
    w.begin({true, true, true}, 1024);
    w.write_head(head(200, "Content-Length: 5\r\n", true, 5));
    w.write("hello");
    EXPECT_TRUE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 X\r\nContent-Length: 5\r\n\r\n");
}

TEST(ResponseWriter, NoBodyNorLengthFor1xx204205And304) {
    for (int status : {101, 102, 204, 205, 304}) {
        ResponseWriter w;
        w.begin(kHttp11, 1024);
        w.write_head(head(status));
        w.write("junk");
        EXPECT_TRUE(w.finish(true));
        EXPECT_EQ(w.output(), "HTTP/1.1 " + std::to_string(status) + " X\r\n\r\n");
    }
}

TEST(ResponseWriter, DeclaredLengthIsHeldTo) {
    ResponseWriter w;
    w.begin(kHttp11, 1024);
    w.write_head(head(200, "Content-Length: 3\r\n", true, 3));
    w.write("hello");
    EXPECT_TRUE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 X\r\nContent-Length: 3\r\n\r\nhel");

    ResponseWriter short_body;
    short_body.begin(kHttp11, 1024);
    short_body.write_head(head(200, "Content-Length: 9\r\n", true, 9));
    short_body.write("hello");
    EXPECT_FALSE(short_body.finish(true));
}

TEST(ResponseWriter, InterimHeadsGoStraightOut) {
    ResponseWriter w;
    w.begin(kHttp11, 1024);
    w.write_head(head(100));
    EXPECT_EQ(w.output(), "HTTP/1.1 100 X\r\n\r\n");
    EXPECT_FALSE(w.started());
}

TEST(ResponseWriter, RawBytesCloseTheConnection) {
    ResponseWriter w;
    w.begin(kHttp11, 1024);
    w.write("HTTP/1.1 200 OK\r\n\r\nraw");
    EXPECT_TRUE(w.committed());
    EXPECT_FALSE(w.finish(true));
    EXPECT_EQ(w.output(), "HTTP/1.1 200 OK\r\n\r\nraw");
}

TEST(ResponseWriter, ConnectionFieldFollowsTheDecision) {
    ResponseWriter closing;
    closing.begin(kHttp11, 1024);
    closing.write_head(head(200));
    EXPECT_FALSE(closing.finish(false));
    EXPECT_EQ(closing.output(), "HTTP/1.1 200 X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

    ResponseWriter keep_alive_10;
    keep_alive_10.begin({false, false, true}, 1024);
    keep_alive_10.write_head(head(200));
    EXPECT_TRUE(keep_alive_10.finish(true));
    EXPECT_EQ(keep_alive_10.output(), "HTTP/1.1 200 X\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseWriter, DiscardLetsAnotherResponseReplaceAnUncommittedOne) {
    ResponseWriter w;
    w.begin(kHttp11, 1024);
    w.write_head(head(200));
    w.write("partial");
    w.discard();
    EXPECT_FALSE(w.started());
    w.write_head(head(500));
    EXPECT_FALSE(w.finish(false));
    EXPECT_EQ(w.output().substr(0, 14), "HTTP/1.1 500 X");
}

}  // namespace
}  // namespace mockserve::http::detail
