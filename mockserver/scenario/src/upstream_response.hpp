#pragma once
// UpstreamResponse: reads one response from an upstream connection with
// Boost.Beast's HTTP/1.1 parser: the head (interim 1xx responses skipped),
// then the body piece by piece as it arrives, never held whole. Framing is
// the parser's (Content-Length, chunked, or up to the close); a head larger
// than 64 KiB, a malformed message or one that ends early is an
// UpstreamError in the parser's words.

#include "upstream_connection.hpp"

#include <mockserve/scenario/scenario.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario::detail {

struct UpstreamHead {
    int status = 0;
    std::string reason;
    int version = 11;  // 10 or 11
    std::vector<Field> fields;
    bool has_length = false;  // a Content-Length framed the body
};

class UpstreamResponse {
public:
    // `head_request`: the request was HEAD, so no body follows whatever the head says.
    UpstreamResponse(UpstreamConnection& connection, bool head_request);
    ~UpstreamResponse();
    UpstreamResponse(const UpstreamResponse&) = delete;
    UpstreamResponse& operator=(const UpstreamResponse&) = delete;

    // Throws UpstreamError; the deadline bounds the whole head.
    const UpstreamHead& read_head(UpstreamConnection::Clock::time_point deadline);
    // The next piece of the body; empty once it has ended. `idle`: the
    // longest wait for a piece.
    std::string_view read_body(std::chrono::milliseconds idle);
    // The response ended where its framing says, and the upstream keeps the
    // connection open: it can carry the next request.
    bool reusable() const;

private:
    class Parser;
    // Reads more from the connection into the buffer; false at its end.
    bool fill(UpstreamConnection::Clock::time_point deadline);

    UpstreamConnection& connection_;
    const bool head_request_;
    std::unique_ptr<Parser> parser_;
    UpstreamHead head_;
    std::string body_;            // the body's pieces the last put() gave
    std::string buffer_;          // read, not yet parsed: [begin_, buffer_.size())
    std::size_t begin_ = 0;
    bool started_ = false;        // some byte of a response came
    bool eof_ = false;
};

}  // namespace mockserve::scenario::detail
