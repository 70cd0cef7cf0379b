#include "cgi_response.hpp"

#include <gtest/gtest.h>

namespace mockserve::http::detail {
namespace {

using State = CgiResponseParser::State;

TEST(CgiResponseParser, ReadsTheBlockInPiecesAndKeepsTheBody) {
    CgiResponseParser p(1024);
    const std::string output = "Content-Type: text/plain\r\nX-A: 1\r\n\r\nbody starts";
    for (std::size_t i = 0; i + 1 < output.size(); ++i) ASSERT_NE(p.feed(output.substr(i, 1)), State::failed);
    p.feed(output.substr(output.size() - 1));
    ASSERT_EQ(p.state(), State::complete);
    EXPECT_EQ(p.head().status, 200);
    ASSERT_EQ(p.head().fields.size(), 2u);
    EXPECT_EQ(p.head().fields[1].second, "1");
    EXPECT_EQ(p.take_body(), "body starts");
}

TEST(CgiResponseParser, StatusAndLocation) {
    CgiResponseParser status(1024);
    ASSERT_EQ(status.feed("Status: 404 Not Here\nContent-Type: text/plain\n\n"), State::complete);
    EXPECT_EQ(status.head().status, 404);
    EXPECT_EQ(status.head().reason, "Not Here");
    EXPECT_EQ(status.head().fields.size(), 1u);
    CgiResponseParser location(1024);
    ASSERT_EQ(location.feed("Location: /elsewhere\n\n"), State::complete);
    EXPECT_EQ(location.head().status, 302);
    CgiResponseParser bare(1024);
    ASSERT_EQ(bare.feed("Status: 204\n\n"), State::complete);
    EXPECT_EQ(bare.head().status, 204);
    EXPECT_EQ(bare.head().reason, "");
}

TEST(CgiResponseParser, Failures) {
    for (const char* bad : {"no header here\n\n", "\nbody", "X-Only: 1\n\n", "Status: abc\n\n", "Status: 99 x\n\n",
                            "Status: 100 Continue\n\n", "Bad Name: x\nContent-Type: a\n\n"}) {
        CgiResponseParser p(1024);
        p.feed(bad);
        EXPECT_EQ(p.state(), State::failed) << bad;
        EXPECT_FALSE(p.error().empty());
    }
    CgiResponseParser unfinished(1024);
    unfinished.feed("Content-Type: text/plain\n");
    EXPECT_EQ(unfinished.finish(), State::failed);
    CgiResponseParser huge(64);
    EXPECT_EQ(huge.feed("X-Filler: " + std::string(100, 'a')), State::failed);
}

TEST(CgiResponseParser, TheLimitHoldsHoweverTheOutputIsSplit) {
    // Found by cgi_response_fuzzer: a block over the limit was refused when
    // it came in pieces, and accepted when its blank line came with it.
    const std::string block = "Content-Type: text/plain\nX-Pad: " + std::string(40, 'x') + "\n";  // 73 bytes
    const std::string output = block + "\nbody";
    for (const std::size_t limit : {70u, 71u, 72u, 80u}) {
        const State expected = block.size() - 1 <= limit ? State::complete : State::failed;
        CgiResponseParser at_once(limit);
        EXPECT_EQ(at_once.feed(output), expected) << limit;
        CgiResponseParser in_bytes(limit);
        for (const char ch : output) in_bytes.feed(std::string(1, ch));
        EXPECT_EQ(in_bytes.state(), expected) << limit;
    }
}

}  // namespace
}  // namespace mockserve::http::detail
