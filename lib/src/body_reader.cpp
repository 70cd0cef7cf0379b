#include "body_reader.hpp"

#include <mockserve/response_stream.hpp>

#include <algorithm>
#include <cstring>

namespace mockserve::http::detail {

namespace {

constexpr std::size_t kReadSize = 16 * 1024;
// The read-ahead of a chunked body decodes this much at a time.
constexpr std::size_t kAheadStep = 64 * 1024;

}  // namespace

std::optional<std::uint64_t> BodyReader::unread() const {
    if (framing_.kind == BodyFraming::Kind::chunked) return std::nullopt;
    return (ahead_.size() - ahead_taken_) + left_;
}

void BodyReader::begin(BodyFraming framing) {
    framing_ = framing;
    left_ = framing.kind == BodyFraming::Kind::length ? framing.length : 0;
    decoder_.reset();
    if (framing.kind == BodyFraming::Kind::chunked) decoder_.emplace(limits_);
    complete_ = framing.kind == BodyFraming::Kind::none || (framing.kind == BodyFraming::Kind::length && left_ == 0);
    ahead_.clear();
    if (ahead_.capacity() > limits_.body_buffer_size) ahead_.shrink_to_fit();
    ahead_taken_ = 0;
    rest_at_ = 0;
}

std::size_t BodyReader::take_buffered(char* into, std::size_t size) {
    const std::string_view buffered(static_cast<const char*>(input_.data().data()), input_.size());
    if (!decoder_) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>({size, left_, buffered.size()}));
        std::memcpy(into, buffered.data(), n);
        input_.consume(n);
        left_ -= n;
        complete_ = left_ == 0;
        return n;
    }
    const auto step = decoder_->decode(buffered, into, size);
    input_.consume(step.consumed);
    complete_ = decoder_->done();
    return step.produced;
}

BodyReader::Ahead BodyReader::fill_ahead() {
    if (complete_) return Ahead::complete;
    // A Content-Length body larger than the read-ahead is left to rfile whole.
    if (!decoder_ && framing_.length > limits_.body_buffer_size) return Ahead::full;
    while (!complete_) {
        if (ahead_.size() >= limits_.body_buffer_size) return Ahead::full;
        const auto old_size = ahead_.size();
        const auto room = std::min(kAheadStep, limits_.body_buffer_size - old_size);
        ahead_.resize(old_size + room);
        const auto produced = take_buffered(ahead_.data() + old_size, room);
        ahead_.resize(old_size + produced);
        if (failed()) return Ahead::failed;
        if (produced == 0 && !complete_) break;  // the input is used up
    }
    if (complete_) return Ahead::complete;
    return decoder_ ? Ahead::need_input : Ahead::read_rest;
}

boost::asio::mutable_buffer BodyReader::ahead_rest() {
    rest_at_ = ahead_.size();
    ahead_.resize(rest_at_ + static_cast<std::size_t>(left_));
    return boost::asio::buffer(ahead_.data() + rest_at_, static_cast<std::size_t>(left_));
}

void BodyReader::ahead_rest_arrived(std::size_t bytes) {
    left_ -= bytes;
    ahead_.resize(rest_at_ + bytes);
    complete_ = left_ == 0;
}

std::ptrdiff_t BodyReader::read(char* into, std::size_t size, bool wait, Stream& stream,
                                std::chrono::milliseconds timeout) {
    if (size == 0) return 0;
    if (ahead_taken_ < ahead_.size()) {
        const auto n = std::min(size, ahead_.size() - ahead_taken_);
        std::memcpy(into, ahead_.data() + ahead_taken_, n);
        ahead_taken_ += n;
        return static_cast<std::ptrdiff_t>(n);
    }
    while (!complete_) {
        const auto n = take_buffered(into, size);
        if (failed()) throw ConnectionError("malformed chunked body: " + decoder_->error().message);
        if (n > 0 || complete_) return static_cast<std::ptrdiff_t>(n);
        // Nothing buffered: a Content-Length body is read straight into
        // `into`; a chunked one into the input buffer, to be decoded.
        std::error_code ec;
        std::size_t got = 0;
        if (!decoder_) {
            got = stream.read_some(into, static_cast<std::size_t>(std::min<std::uint64_t>(size, left_)),
                                   wait ? timeout : std::chrono::milliseconds(0), ec);
        } else {
            if (input_.size() >= input_.max_size()) throw ConnectionError("chunked body line too long");
            auto space = input_.prepare(std::min(kReadSize, input_.max_size() - input_.size()));
            got = stream.read_some(static_cast<char*>(space.data()), space.size(),
                                   wait ? timeout : std::chrono::milliseconds(0), ec);
        }
        if (!wait && ec == std::errc::timed_out) return -1;
        if (ec) throw ConnectionError("reading the request body: " + ec.message());
        if (got == 0) throw ConnectionError("the client closed the connection before the end of the body");
        if (!decoder_) {
            left_ -= got;
            complete_ = left_ == 0;
            return static_cast<std::ptrdiff_t>(got);
        }
        input_.commit(got);
    }
    return 0;
}

}  // namespace mockserve::http::detail
