#pragma once
// ResponseStream: a handler's wfile, the way back to the client.
//
// Writes are buffered (Limits::response_buffer_size) and sent when the buffer
// fills, on flush(), or when the handler returns, so a large response streams
// in bounded memory. Bytes written before end_headers() go out verbatim, as
// in Python; the connection is then closed after the response, because the
// server cannot know where such a response ends.

#include <mockserve/connection_error.hpp>

#include <cstdint>
#include <string_view>

namespace mockserve::http {

namespace detail {
class Channel;
}

class ResponseStream {
public:
    void write(std::string_view bytes);
    // Sends what is buffered now (a streaming response: server-sent events,
    // progress); a response without Content-Length then goes out chunked.
    void flush();
    // Sends `count` bytes of the open file `fd` from `offset`, with the
    // kernel's zero-copy path (sendfile) where the connection allows it.
    void send_file(int fd, std::uint64_t offset, std::uint64_t count);

private:
    friend class BaseHTTPRequestHandler;
    void attach(detail::Channel* channel) { channel_ = channel; }

    detail::Channel* channel_ = nullptr;
};

}  // namespace mockserve::http
