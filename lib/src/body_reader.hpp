#pragma once
// BodyReader: the body of the request in hand, decoded, for both of its
// readers: the session's read-ahead (asynchronous, before the handler runs,
// so that a small body holds no thread) and the handler's rfile (blocking,
// with a deadline, for the rest of a large body). Both take bytes through
// one decoding step: a Content-Length body is counted off, a chunked one
// goes through the ChunkedDecoder, whatever the order of the reads and
// wherever the input was split.
//
// Input comes from the session's input buffer (bytes that arrived with the
// head) and then from the stream.

#include "chunked_decoder.hpp"
#include "framing.hpp"
#include "stream.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace mockserve::http::detail {

class BodyReader {
public:
    BodyReader(const Limits& limits, boost::beast::flat_buffer& input) : limits_(limits), input_(input) {}

    void begin(BodyFraming framing);
    // Every byte of the body has been taken from the input.
    bool complete() const { return complete_; }

    // --- The read-ahead (the session, before the handler) -----------------------
    enum class Ahead {
        complete,    // the whole body is held: the handler reads it from memory
        full,        // body_buffer_size is held; rfile reads the rest
        need_input,  // read more into the input buffer, then call fill_ahead() again
        read_rest,   // read ahead_rest() exactly, then call ahead_rest_arrived()
        failed       // the body is malformed: refuse it with error()
    };
    // Takes what the input buffer holds, and says what to do next.
    Ahead fill_ahead();
    // For a Content-Length body: the space its unread rest goes to, in one read.
    boost::asio::mutable_buffer ahead_rest();
    void ahead_rest_arrived(std::size_t bytes);
    const HttpError& error() const { return decoder_->error(); }

    // --- rfile (the handler's thread) ------------------------------------------------
    // Body bytes into `into`: what was read ahead, then what the input holds,
    // then from `stream`, waiting up to `timeout` unless !wait. Returns 0 at
    // the end of the body, -1 when not waiting and nothing has arrived.
    // Throws ConnectionError when the client leaves or the body is malformed.
    std::ptrdiff_t read(char* into, std::size_t size, bool wait, Stream& stream, std::chrono::milliseconds timeout);
    // How many body bytes rfile has still to read, when the framing says
    // (a Content-Length body, or none); nothing for a chunked body.
    std::optional<std::uint64_t> unread() const;

private:
    // Decodes what the input buffer holds into `into`; never waits.
    std::size_t take_buffered(char* into, std::size_t size);
    bool failed() const { return decoder_ && decoder_->failed(); }

    const Limits& limits_;
    boost::beast::flat_buffer& input_;
    BodyFraming framing_;
    std::uint64_t left_ = 0;  // of a Content-Length body, not yet taken from the input
    std::optional<ChunkedDecoder> decoder_;
    bool complete_ = true;
    std::string ahead_;  // read ahead of the handler
    std::size_t ahead_taken_ = 0;  // of ahead_, by rfile
    std::size_t rest_at_ = 0;      // where ahead_rest() begins in ahead_
};

}  // namespace mockserve::http::detail
