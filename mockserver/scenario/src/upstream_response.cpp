#include "upstream_response.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace mockserve::scenario::detail {

namespace beast_http = boost::beast::http;

// Beast's parser, told where the head's parts and the body's pieces go.
class UpstreamResponse::Parser final : public beast_http::basic_parser<false> {
public:
    Parser(UpstreamHead& head, std::string& body) : head_(head), body_(body) {}

private:
    void on_request_impl(beast_http::verb, boost::beast::string_view, boost::beast::string_view, int,
                         boost::beast::error_code&) override {}
    void on_response_impl(int code, boost::beast::string_view reason, int version, boost::beast::error_code&) override {
        head_.status = code;
        head_.reason = std::string(reason);
        head_.version = version;
    }
    void on_field_impl(beast_http::field, boost::beast::string_view name, boost::beast::string_view value,
                       boost::beast::error_code&) override {
        head_.fields.emplace_back(std::string(name), std::string(value));
    }
    void on_header_impl(boost::beast::error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, boost::beast::error_code&) override {}
    std::size_t on_body_impl(boost::beast::string_view piece, boost::beast::error_code&) override {
        body_.append(piece.data(), piece.size());
        return piece.size();
    }
    void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, boost::beast::error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view piece, boost::beast::error_code&) override {
        body_.append(piece.data(), piece.size());
        return piece.size();
    }
    void on_finish_impl(boost::beast::error_code&) override {}

    UpstreamHead& head_;
    std::string& body_;
};

namespace {

constexpr std::size_t kReadSize = 64 * 1024;
constexpr std::uint32_t kMaxHead = 64 * 1024;

}  // namespace

UpstreamResponse::UpstreamResponse(UpstreamConnection& connection, bool head_request)
    : connection_(connection), head_request_(head_request) {}

UpstreamResponse::~UpstreamResponse() = default;

bool UpstreamResponse::fill(UpstreamConnection::Clock::time_point deadline) {
    if (begin_ == buffer_.size()) {
        buffer_.clear();
        begin_ = 0;
    } else if (begin_ > kReadSize) {
        buffer_.erase(0, begin_);
        begin_ = 0;
    }
    const auto before = buffer_.size();
    buffer_.resize(before + kReadSize);
    const auto got = connection_.read_some(buffer_.data() + before, kReadSize, deadline);
    buffer_.resize(before + got);
    if (got == 0) eof_ = true;
    if (got > 0) started_ = true;
    return got > 0;
}

const UpstreamHead& UpstreamResponse::read_head(UpstreamConnection::Clock::time_point deadline) {
    while (true) {
        head_ = {};
        body_.clear();
        parser_ = std::make_unique<Parser>(head_, body_);
        parser_->header_limit(kMaxHead);
        parser_->body_limit(boost::none);  // a proxy passes any size on
        if (head_request_) parser_->skip(true);
        while (!parser_->is_header_done()) {
            if (begin_ < buffer_.size()) {
                boost::beast::error_code ec;
                begin_ += parser_->put(boost::asio::buffer(buffer_.data() + begin_, buffer_.size() - begin_), ec);
                if (!ec) continue;
                if (ec != beast_http::error::need_more)
                    throw UpstreamError("the upstream sent a malformed response head (" + ec.message() + ")", false);
            }
            if (!fill(deadline)) {
                throw UpstreamError(started_ ? "the upstream closed the connection in the middle of the response head"
                                             : "the upstream closed the connection without a response",
                                    false);
            }
        }
        if (head_.status == 101)
            throw UpstreamError("the upstream switched protocols (101), which a proxy route does not forward", false);
        if (head_.status >= 200) break;
        // An interim response (100 Continue, 103 Early Hints): the real one follows.
    }
    head_.has_length = parser_->content_length().has_value();
    return head_;
}

std::string_view UpstreamResponse::read_body(std::chrono::milliseconds idle) {
    body_.clear();
    while (body_.empty() && !parser_->is_done()) {
        if (begin_ < buffer_.size()) {
            boost::beast::error_code ec;
            const auto used = parser_->put(boost::asio::buffer(buffer_.data() + begin_, buffer_.size() - begin_), ec);
            begin_ += used;
            if (ec && ec != beast_http::error::need_more)
                throw UpstreamError("the upstream sent a malformed body (" + ec.message() + ")", false);
            if (!ec && used > 0) continue;
        }
        if (eof_ || !fill(UpstreamConnection::Clock::now() + idle)) {
            boost::beast::error_code ec;
            parser_->put_eof(ec);
            if (ec) throw UpstreamError("the upstream closed the connection before the end of the body", false);
        }
    }
    return body_;
}

bool UpstreamResponse::reusable() const {
    return parser_ && parser_->is_done() && parser_->keep_alive() && begin_ == buffer_.size() && !eof_;
}

}  // namespace mockserve::scenario::detail
