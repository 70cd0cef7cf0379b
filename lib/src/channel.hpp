#pragma once
// Channel: the connection as a handler's rfile, wfile and end_headers() see it.

#include "response_writer.hpp"

#include <mockserve/paced_body.hpp>

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace mockserve::http::detail {

class Channel {
public:
    // Reads body bytes: 0 at the end of the body. Without `wait`, returns -1
    // rather than wait for bytes that have not arrived.
    virtual std::ptrdiff_t read_body(char* into, std::size_t size, bool wait) = 0;
    // How many body bytes are left to read, when the framing says (not for
    // a chunked body).
    virtual std::optional<std::uint64_t> body_unread() const = 0;
    // Takes the head. It may leave in `head` what it held before (the last
    // response's head), so that the caller can reuse its text's room.
    virtual void write_head(ResponseHead&& head) = 0;
    virtual void write(std::string_view bytes) = 0;
    virtual void flush() = 0;
    virtual void send_file(int fd, std::uint64_t offset, std::uint64_t count) = 0;
    // What to poll to notice a client that leaves (Stream::wait_handle()).
    virtual int wait_handle() const = 0;
    // Holds the response back this long after the handler returns, on a
    // timer: no thread waits.
    virtual void delay_response(std::chrono::milliseconds delay) = 0;
    // Sends this body after the handler returns, piece by piece, on timers.
    virtual void pace(std::shared_ptr<const PacedBody> body) = 0;
    // Ends the connection once the handler returns, with nothing more sent;
    // `reset`: with a TCP reset rather than a close.
    virtual void abort(bool reset) = 0;
    // Attaches a value to this request's exchange record.
    virtual void annotate(std::any note) = 0;

protected:
    ~Channel() = default;
};

}  // namespace mockserve::http::detail
