#include "framing.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

const Limits kLimits{};

RequestHead head_with(std::initializer_list<std::pair<const char*, const char*>> fields, int minor = 1) {
    RequestHead head;
    head.method = "POST";
    head.minor = minor;
    for (const auto& [n, v] : fields) head.headers.add(n, v);
    return head;
}

int status_of(const RequestHead& head, const Limits& limits = kLimits) {
    auto result = check_framing(head, limits);
    if (auto* error = std::get_if<HttpError>(&result)) return error->status;
    return 0;
}

TEST(Framing, NoBodyFields) {
    auto result = check_framing(head_with({}), kLimits);
    EXPECT_EQ(std::get<BodyFraming>(result).kind, BodyFraming::Kind::none);
}

TEST(Framing, ContentLength) {
    auto result = check_framing(head_with({{"Content-Length", "42"}}), kLimits);
    EXPECT_EQ(std::get<BodyFraming>(result).kind, BodyFraming::Kind::length);
    EXPECT_EQ(std::get<BodyFraming>(result).length, 42u);
    EXPECT_EQ(status_of(head_with({{"Content-Length", "7"}, {"Content-Length", "7"}})), 0);
    EXPECT_EQ(status_of(head_with({{"Content-Length", "7, 7"}})), 0);
}

TEST(Framing, InvalidContentLengths) {
    for (const char* value : {"+5", "-1", "0x10", "1_0", "", " ", "1 0", "99999999999999999999", "9223372036854775808"})
        EXPECT_EQ(status_of(head_with({{"Content-Length", value}})), 400) << value;
    EXPECT_EQ(status_of(head_with({{"Content-Length", "5"}, {"Content-Length", "6"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Content-Length", "5, 6"}})), 400);
}

TEST(Framing, ContentLengthOverTheLimitIs413) {
    Limits limits;
    limits.max_body_size = 10;
    EXPECT_EQ(status_of(head_with({{"Content-Length", "11"}}), limits), 413);
    EXPECT_EQ(status_of(head_with({{"Content-Length", "10"}}), limits), 0);
}

TEST(Framing, TransferEncoding) {
    EXPECT_EQ(std::get<BodyFraming>(check_framing(head_with({{"Transfer-Encoding", "chunked"}}), kLimits)).kind,
              BodyFraming::Kind::chunked);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "Chunked"}})), 0);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked"}}, 0)), 400);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "gzip"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked, gzip"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})), 400);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "gzip, chunked"}})), 501);
    // Codings it does not know: 501 (RFC 9112 section 6.1), whatever follows.
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "xchunked"}})), 501);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked;q=1"}})), 501);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "identity, chunked"}})), 501);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", "chunked, identity"}})), 501);
    EXPECT_EQ(status_of(head_with({{"Transfer-Encoding", ""}})), 400);
}

}  // namespace
}  // namespace mockserve::http::detail
