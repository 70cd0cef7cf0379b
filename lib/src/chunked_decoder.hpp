#pragma once
// ChunkedDecoder: the chunked transfer coding of a request body (RFC 9112
// section 7.1), decoded incrementally, strictly, and in bounded memory.
//   - chunk-size is 1 to 16 hex digits; anything else (0x10, -1, +5, empty,
//     overflow) is 400;
//   - a chunk line (size and extensions) longer than Limits::max_chunk_line,
//     or with a control character, is 400; chunk lines and the CRLF after
//     the data must end in CRLF exactly;
//   - the trailer section is read and dropped; larger than
//     Limits::max_trailer_bytes, or a malformed field: 400;
//   - more decoded data than Limits::max_body_size: 413.

#include "http_error.hpp"

#include <mockserve/limits.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mockserve::http::detail {

class ChunkedDecoder {
public:
    explicit ChunkedDecoder(const Limits& limits) : limits_(&limits) {}

    struct Step {
        std::size_t consumed = 0;  // bytes of `input` used; an incomplete line is left
        std::size_t produced = 0;  // bytes of body data written to `out`
    };
    // Decodes what it can of `input` into `out`. Stops when `out` is full,
    // when the input ends inside a line, at the end of the body, or at an error.
    Step decode(std::string_view input, char* out, std::size_t out_size);

    bool done() const { return state_ == State::done; }
    bool failed() const { return state_ == State::failed; }
    const HttpError& error() const { return error_; }
    std::uint64_t decoded_size() const { return decoded_; }
    // Whether decode() needs more input than it was given to go on.
    bool needs_input() const { return needs_input_; }

private:
    enum class State { size_line, data, data_end, trailer, done, failed };
    bool fail(int status, std::string message);
    // Takes one CRLF-terminated line from `input`; false if it is incomplete.
    bool take_line(std::string_view input, std::size_t& pos, std::size_t max, std::string_view& line);
    bool on_size_line(std::string_view line);
    bool on_trailer_line(std::string_view line);

    const Limits* limits_;
    State state_ = State::size_line;
    std::uint64_t chunk_left_ = 0;
    std::uint64_t decoded_ = 0;
    std::size_t trailer_bytes_ = 0;
    bool needs_input_ = false;
    HttpError error_;
};

}  // namespace mockserve::http::detail
