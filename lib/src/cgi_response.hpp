#pragma once
// The header block a CGI script writes before its body (RFC 3875 section 6),
// read as it arrives. Pure.
//   - lines end in LF or CRLF; a blank line ends the block;
//   - "Status: 404 Not Found" sets the status (three digits, then a reason);
//   - "Location:" with no Status is a redirect: 302;
//   - at least one of Content-Type, Location, Status must be there;
//   - a line that is not "Name: value", a block larger than the limit, or
//     output that ends before the blank line: no valid header block.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::http::detail {

struct CgiResponseHead {
    int status = 200;
    std::string reason;  // empty: the table's
    bool status_given = false;  // the script wrote a Status field
    std::vector<std::pair<std::string, std::string>> fields;  // in order, Status left out
};

class CgiResponseParser {
public:
    explicit CgiResponseParser(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    enum class State { need_more, complete, failed };
    // Feeds output; once complete, body() holds what followed the block.
    State feed(std::string_view output);
    // The script's output ended.
    State finish();

    State state() const { return state_; }
    const CgiResponseHead& head() const { return head_; }
    const std::string& error() const { return error_; }
    std::string take_body();

private:
    State fail(std::string why);
    State parse_block(std::string_view block);

    std::size_t max_bytes_;
    std::string buffered_;
    std::string body_;
    State state_ = State::need_more;
    CgiResponseHead head_;
    std::string error_;
};

}  // namespace mockserve::http::detail
