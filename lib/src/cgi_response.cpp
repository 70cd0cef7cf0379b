#include "cgi_response.hpp"

#include <mockserve/detail/text.hpp>

#include <mockserve/headers.hpp>

namespace mockserve::http::detail {

CgiResponseParser::State CgiResponseParser::fail(std::string why) {
    error_ = std::move(why);
    return state_ = State::failed;
}

CgiResponseParser::State CgiResponseParser::feed(std::string_view output) {
    if (state_ == State::complete) {
        body_.append(output);
        return state_;
    }
    if (state_ == State::failed) return state_;
    const auto scanned = buffered_.size();
    buffered_.append(output);
    // The block ends at the first empty line: "\n\n" or "\n\r\n".
    std::size_t from = scanned > 2 ? scanned - 2 : 0;
    while (true) {
        const auto lf = buffered_.find('\n', from);
        if (lf == std::string::npos) break;
        const auto next = lf + 1;
        const bool blank = (next < buffered_.size() && buffered_[next] == '\n') ||
                           (next + 1 < buffered_.size() && buffered_[next] == '\r' && buffered_[next + 1] == '\n');
        if (lf == 0 || (lf == 1 && buffered_[0] == '\r')) {
            return fail("the script's output starts with a blank line: no header block");
        }
        if (blank) {
            if (lf > max_bytes_) return fail("the script's header block is larger than the limit");
            const auto end = buffered_[next] == '\n' ? next + 1 : next + 2;
            if (parse_block(std::string_view(buffered_).substr(0, lf)) == State::failed) return state_;
            body_ = buffered_.substr(end);
            buffered_.clear();
            return state_ = State::complete;
        }
        from = next;
    }
    // The block ends at its last LF, at most two bytes back ("\n\r" may yet
    // be a blank line): too large only once that is past the limit, so that
    // the verdict does not depend on how the output was split.
    if (buffered_.size() > max_bytes_ + 2) return fail("the script's header block is larger than the limit");
    return state_;
}

CgiResponseParser::State CgiResponseParser::finish() {
    if (state_ != State::need_more) return state_;
    if (buffered_.empty()) return fail("the script wrote nothing");
    // Say what is wrong with the lines that came, if anything is.
    auto block = std::string_view(buffered_);
    if (block.back() == '\n') block.remove_suffix(1);
    if (parse_block(block) == State::failed) return state_;
    return fail("the script's output ended inside its header block");
}

CgiResponseParser::State CgiResponseParser::parse_block(std::string_view block) {
    bool has_type = false, has_location = false, has_status = false;
    while (!block.empty()) {
        const auto lf = block.find('\n');
        auto line = block.substr(0, lf);
        block = lf == std::string_view::npos ? std::string_view() : block.substr(lf + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return fail("not a header line in the script's output: \"" + std::string(line.substr(0, 80)) + "\"");
        const auto name = line.substr(0, colon);
        const auto value = trim_ows(line.substr(colon + 1));
        if (value.find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos)
            return fail("a control character in the script's header " + std::string(name));
        if (iequals(name, "Status")) {
            if (value.size() < 3 || !std::isdigit(static_cast<unsigned char>(value[0])) ||
                !std::isdigit(static_cast<unsigned char>(value[1])) || !std::isdigit(static_cast<unsigned char>(value[2])) ||
                (value.size() > 3 && value[3] != ' ') || value[0] < '2')
                return fail("an invalid Status in the script's output: \"" + std::string(value) + "\"");
            head_.status = std::stoi(std::string(value.substr(0, 3)));
            head_.reason = value.size() > 4 ? std::string(value.substr(4)) : std::string();
            head_.status_given = has_status = true;
            continue;
        }
        if (iequals(name, "Content-Type")) has_type = true;
        if (iequals(name, "Location")) has_location = true;
        head_.fields.emplace_back(std::string(name), std::string(value));
    }
    if (!has_type && !has_location && !has_status)
        return fail("the script's header block has none of Content-Type, Location, Status");
    if (has_location && !has_status) head_.status = 302;
    return state_;
}

std::string CgiResponseParser::take_body() {
    std::string out;
    out.swap(body_);
    return out;
}

}  // namespace mockserve::http::detail
