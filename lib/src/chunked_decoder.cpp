#include "chunked_decoder.hpp"

#include <mockserve/detail/text.hpp>

#include <algorithm>
#include <cstring>

namespace mockserve::http::detail {

namespace {

bool has_control_character(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c < 0x20 && c != '\t') || c == 0x7f;
    });
}

}  // namespace

bool ChunkedDecoder::fail(int status, std::string message) {
    error_ = HttpError{status, std::move(message), {}};
    state_ = State::failed;
    return false;
}

bool ChunkedDecoder::take_line(std::string_view input, std::size_t& pos, std::size_t max, std::string_view& line) {
    const auto lf = input.find('\n', pos);
    if (lf == std::string_view::npos) {
        // Too long only once no CRLF can end it within `max`: a line of
        // exactly `max` bytes may have its CR here and its LF still to come.
        if (input.size() - pos > max + 1) return fail(400, "Bad chunked body: line too long");
        needs_input_ = true;
        return false;
    }
    if (lf - pos > max + 1) return fail(400, "Bad chunked body: line too long");
    if (lf == pos || input[lf - 1] != '\r') return fail(400, "Bad chunked body: line not ended by CRLF");
    line = input.substr(pos, lf - 1 - pos);
    if (line.find('\r') != std::string_view::npos) return fail(400, "Bad chunked body: bare CR");
    pos = lf + 1;
    return true;
}

bool ChunkedDecoder::on_size_line(std::string_view line) {
    std::size_t digits = 0;
    std::uint64_t size = 0;
    while (digits < line.size() && hex_digit_value(line[digits]) >= 0) {
        if (digits == 16) return fail(400, "Bad chunked body: chunk size too large");
        size = size * 16 + static_cast<std::uint64_t>(hex_digit_value(line[digits]));
        ++digits;
    }
    if (digits == 0) return fail(400, "Bad chunked body: invalid chunk size");
    auto extensions = line.substr(digits);
    while (!extensions.empty() && (extensions.front() == ' ' || extensions.front() == '\t'))
        extensions.remove_prefix(1);
    if (!extensions.empty() && extensions.front() != ';') return fail(400, "Bad chunked body: invalid chunk size");
    if (has_control_character(extensions)) return fail(400, "Bad chunked body: invalid chunk extension");
    if (size > limits_->max_body_size - decoded_) return fail(413, {});
    chunk_left_ = size;
    state_ = size == 0 ? State::trailer : State::data;
    return true;
}

bool ChunkedDecoder::on_trailer_line(std::string_view line) {
    if (line.empty()) {
        state_ = State::done;
        return true;
    }
    trailer_bytes_ += line.size() + 2;
    if (trailer_bytes_ > limits_->max_trailer_bytes) return fail(400, "Bad chunked body: trailer section too large");
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)) ||
        has_control_character(line.substr(colon + 1)))
        return fail(400, "Bad chunked body: invalid trailer field");
    return true;
}

ChunkedDecoder::Step ChunkedDecoder::decode(std::string_view input, char* out, std::size_t out_size) {
    Step step;
    needs_input_ = false;
    std::string_view line;
    while (true) {
        switch (state_) {
            case State::size_line:
                if (!take_line(input, step.consumed, limits_->max_chunk_line, line) || !on_size_line(line))
                    return step;
                break;
            case State::data: {
                if (step.produced == out_size) return step;
                if (step.consumed == input.size()) {
                    needs_input_ = true;
                    return step;
                }
                const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(
                    chunk_left_, std::min(input.size() - step.consumed, out_size - step.produced)));
                std::memcpy(out + step.produced, input.data() + step.consumed, n);
                step.consumed += n;
                step.produced += n;
                chunk_left_ -= n;
                decoded_ += n;
                if (chunk_left_ == 0) state_ = State::data_end;
                break;
            }
            case State::data_end:
                if (input.size() - step.consumed < 2) {
                    needs_input_ = true;
                    return step;
                }
                if (input.substr(step.consumed, 2) != "\r\n") {
                    fail(400, "Bad chunked body: chunk data not followed by CRLF");
                    return step;
                }
                step.consumed += 2;
                state_ = State::size_line;
                break;
            case State::trailer:
                if (!take_line(input, step.consumed, limits_->max_trailer_bytes, line) || !on_trailer_line(line))
                    return step;
                break;
            case State::done:
            case State::failed:
                return step;
        }
    }
}

}  // namespace mockserve::http::detail
