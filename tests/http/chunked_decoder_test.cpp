#include "chunked_decoder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mockserve::http::detail {
namespace {

struct Decoded {
    std::string body;
    bool done = false;
    int error = 0;
};

// Feeds `input` in pieces of `piece` bytes, as a socket might deliver it.
Decoded decode(std::string_view input, std::size_t piece = 1 << 20, const Limits& limits = Limits{}) {
    ChunkedDecoder decoder(limits);
    Decoded result;
    std::string buffered;
    std::size_t fed = 0;
    char out[7];  // small, so that output-full stops are exercised
    while (!decoder.done() && !decoder.failed()) {
        const auto step = decoder.decode(buffered, out, sizeof out);
        buffered.erase(0, step.consumed);
        result.body.append(out, step.produced);
        if (decoder.needs_input()) {
            if (fed == input.size()) break;
            const auto n = std::min(piece, input.size() - fed);
            buffered.append(input.substr(fed, n));
            fed += n;
        }
    }
    result.done = decoder.done();
    result.error = decoder.failed() ? decoder.error().status : 0;
    return result;
}

TEST(ChunkedDecoder, DecodesInAnyPieces) {
    const std::string input = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
    for (std::size_t piece : {1u, 2u, 3u, 10u, 1000u}) {
        const auto result = decode(input, piece);
        EXPECT_TRUE(result.done) << piece;
        EXPECT_EQ(result.body, "hello, world") << piece;
    }
}

TEST(ChunkedDecoder, RejectsBadChunkSizes) {
    for (const char* bad : {"0x10\r\n", "-1\r\n", "+5\r\n", "\r\n", "1_0\r\n", "fffffffffffffffff\r\n", "5 5\r\n"})
        EXPECT_EQ(decode(std::string(bad) + "hello\r\n0\r\n\r\n").error, 400) << bad;
}

TEST(ChunkedDecoder, RejectsBadLineEndings) {
    EXPECT_EQ(decode("5\nhello\r\n0\r\n\r\n").error, 400);
    EXPECT_EQ(decode("5\r\nhelloXX0\r\n\r\n").error, 400);
    EXPECT_EQ(decode("5\r\nhello\r\n0\r\n\n").error, 400);
}

TEST(ChunkedDecoder, BoundsExtensionsAndTrailers) {
    Limits limits;
    limits.max_chunk_line = 64;
    limits.max_trailer_bytes = 64;
    EXPECT_EQ(decode("5;" + std::string(100, 'a') + "\r\nhello\r\n0\r\n\r\n", 1 << 20, limits).error, 400);
    EXPECT_EQ(decode("5;" + std::string(100, 'a'), 1 << 20, limits).error, 400);  // before the line ends
    std::string trailers;
    for (int i = 0; i < 10; ++i) trailers += "T" + std::to_string(i) + ": v\r\n";
    EXPECT_EQ(decode("0\r\n" + trailers + "\r\n", 1 << 20, limits).error, 400);
    EXPECT_EQ(decode("0\r\nBad Trailer\r\n\r\n").error, 400);
}

TEST(ChunkedDecoder, ALineOfTheLimitDoesNotDependOnWhereItIsSplit) {
    // Found by chunked_decoder_fuzzer: a size line of exactly
    // max_chunk_line bytes was "too long" (400) when its CR came without
    // its LF, and 413 or accepted otherwise.
    Limits limits;
    limits.max_chunk_line = 16;
    for (std::size_t piece = 1; piece <= 20; ++piece) {
        EXPECT_EQ(decode("AADDDDDDDDDDDAcc\r\nxx", piece, limits).error, 413) << piece;
        const auto result = decode("0000000000000005\r\nhello\r\n0\r\n\r\n", piece, limits);
        EXPECT_TRUE(result.done) << piece;
        EXPECT_EQ(result.body, "hello") << piece;
        EXPECT_EQ(decode("00000000000000005\r\nhello\r\n0\r\n\r\n", piece, limits).error, 400) << piece;
    }
}

TEST(ChunkedDecoder, BodyOverTheLimitIs413) {
    Limits limits;
    limits.max_body_size = 8;
    EXPECT_EQ(decode("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", 1 << 20, limits).error, 413);
}

}  // namespace
}  // namespace mockserve::http::detail
