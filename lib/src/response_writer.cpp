#include "response_writer.hpp"

#include <mockserve/detail/text.hpp>

#include <cstdio>
#include <utility>

namespace mockserve::http::detail {

void ResponseWriter::begin(ProtocolDecision protocol, std::size_t buffer_limit) {
    protocol_ = protocol;
    buffer_limit_ = buffer_limit;
    state_ = State::idle;
    mode_ = BodyMode::identity;
    head_ = {};
    held_body_.clear();
    body_bytes_ = 0;
    close_delimited_ = false;
}

bool ResponseWriter::body_allowed() const {
    return !protocol_.head_method && status_has_body(head_.status);
}

void ResponseWriter::write_head(ResponseHead&& head) {
    // 100 Continue and 103 Early Hints come before the final response; any
    // other status (101, 102 included, as Python sends them) is the response.
    if (head.status == 100 || head.status == 103) {
        out_.append(head.text).append("\r\n");
        return;
    }
    if (state_ == State::raw) {  // the handler mixes raw bytes and a head: pass it on
        out_.append(head.text).append("\r\n");
        return;
    }
    std::swap(head_, head);
    state_ = State::held;
    mode_ = body_allowed() ? BodyMode::identity : BodyMode::none;
}

void ResponseWriter::write(std::string_view body) {
    switch (state_) {
        case State::idle:
            state_ = State::raw;
            out_.append(body);
            return;
        case State::raw:
            out_.append(body);
            return;
        case State::held:
            if (body_allowed()) held_body_.append(body);
            return;
        case State::streaming:
            append_body(body);
            return;
    }
}

void ResponseWriter::append_body(std::string_view body) {
    switch (mode_) {
        case BodyMode::none:
            return;
        case BodyMode::identity:
            if (head_.has_length) {
                const auto room = head_.length > body_bytes_ ? head_.length - body_bytes_ : 0;
                if (body.size() > room) body = body.substr(0, static_cast<std::size_t>(room));
            }
            out_.append(body);
            body_bytes_ += body.size();
            return;
        case BodyMode::chunked: {
            if (body.empty()) return;  // an empty chunk would end the body
            char size_line[24];
            std::snprintf(size_line, sizeof size_line, "%zx\r\n", body.size());
            out_.append(size_line).append(body).append("\r\n");
            body_bytes_ += body.size();
            return;
        }
    }
}

void ResponseWriter::emit_head(std::string_view extra_fields) {
    out_.append(head_.text).append(extra_fields).append("\r\n");
    state_ = State::streaming;
    append_body(held_body_);
    // Emptied, its room kept for the next response when no larger than the
    // buffer (a handler's single write of a large body is not kept).
    if (held_body_.capacity() > buffer_limit_) {
        std::string().swap(held_body_);
    } else {
        held_body_.clear();
    }
}

void ResponseWriter::commit(std::optional<bool> keep_alive) {
    if (state_ != State::held) return;
    std::string extra;
    if (body_allowed() && !head_.has_length && !head_.chunked) {
        if (protocol_.both_http11()) {
            extra = "Transfer-Encoding: chunked\r\n";
            mode_ = BodyMode::chunked;
        } else {
            close_delimited_ = true;
            if (!head_.connection_field) extra = "Connection: close\r\n";
        }
    }
    if (keep_alive && !close_delimited_ && !head_.connection_field) {
        if (!*keep_alive) {
            extra += "Connection: close\r\n";
        } else if (!protocol_.client_http11) {
            extra += "Connection: keep-alive\r\n";
        }
    }
    emit_head(extra);
}

bool ResponseWriter::finish(bool keep_alive) {
    if (state_ == State::held) {
        std::string extra;
        if (body_allowed() && !head_.has_length && !head_.chunked) {
            extra = "Content-Length: " + std::to_string(held_body_.size()) + "\r\n";
            head_.has_length = true;
            head_.length = held_body_.size();
        }
        if (!head_.connection_field) {
            if (!keep_alive) {
                extra += "Connection: close\r\n";
            } else if (!protocol_.client_http11) {
                extra += "Connection: keep-alive\r\n";
            }
        }
        emit_head(extra);
    } else if (state_ == State::streaming && mode_ == BodyMode::chunked) {
        out_.append("0\r\n\r\n");
    }
    if (state_ == State::raw || close_delimited_) return false;
    if (mode_ == BodyMode::identity && head_.has_length && body_bytes_ != head_.length) return false;
    return keep_alive;
}

void ResponseWriter::discard() {
    if (committed()) return;
    out_.clear();
    held_body_.clear();
    state_ = State::idle;
    head_ = {};
    mode_ = BodyMode::identity;
}

void ResponseWriter::count_body(std::uint64_t size) { body_bytes_ += size; }

}  // namespace mockserve::http::detail
