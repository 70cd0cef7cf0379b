#pragma once
// RequestStream: a handler's rfile, the body of the current request.
//
// Unlike Python's rfile (the raw socket, where reading past Content-Length
// blocks), this stream ends where the body ends, and gives the decoded data
// of a chunked body. A small body is already in memory when the handler
// runs; a large one is read from the socket as the handler reads it.

#include <mockserve/connection_error.hpp>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace mockserve::http {

namespace detail {
class Channel;
}

class RequestStream {
public:
    // Reads up to `size` bytes into `into`; fewer only at the end of the body
    // (0 once it has ended). Throws ConnectionError if the client goes away.
    std::size_t read(char* into, std::size_t size);
    // At least one byte if the body has more, at most `size`, without waiting
    // for more than the first (Python's read1); 0 at the end of the body.
    std::size_t read_some(char* into, std::size_t size);
    // As read_some(), but nothing (rather than a wait) when no byte has
    // arrived yet: for a handler that waits on the socket with poll().
    std::optional<std::size_t> read_nowait(char* into, std::size_t size);
    // Up to `size` bytes; the whole rest of the body by default.
    std::string read(std::size_t size = std::numeric_limits<std::size_t>::max());
    // Puts bytes back in front of the stream: for a handler that looks at
    // the body before it hands the request on.
    void unread(std::string_view bytes);
    // One line, its '\n' included, of at most `limit` bytes.
    std::string readline(std::size_t limit = std::numeric_limits<std::size_t>::max());

private:
    friend class BaseHTTPRequestHandler;
    void attach(detail::Channel* channel);

    detail::Channel* channel_ = nullptr;
    std::string pushback_;  // read past a line end by readline()
};

}  // namespace mockserve::http
