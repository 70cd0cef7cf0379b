#pragma once
// PacedBody: a response body that leaves in pieces, with a pause before each
// piece after the first: a slow trickle of bytes, or a stream of events.
// A handler hands one to BaseHTTPRequestHandler::pace_response() after its
// head; the server sends the pieces once the handler returns, waiting on a
// timer between them, so no thread is held for the length of the stream.
//
// The pieces are body bytes, framed as the head says: with the head's
// Content-Length they must add up to it; without one, an HTTP/1.1 answer is
// chunked (a chunk per piece) and an HTTP/1.0 answer ends with the
// connection.

#include <chrono>
#include <string>
#include <vector>

namespace mockserve::http {

struct PacedBody {
    std::vector<std::string> pieces;
    std::chrono::milliseconds pause{0};  // before each piece after the first
    // After the last piece, the first again (after a pause), until the
    // client leaves or the server shuts down: an endless event stream.
    bool repeat = false;
};

}  // namespace mockserve::http
