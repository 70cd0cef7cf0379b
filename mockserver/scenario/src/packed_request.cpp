#include "packed_request.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

namespace mockserve::scenario::detail {

namespace {

// The fields of a fixed size, copied as they are into the block's front.
struct Fixed {
    std::uint64_t body_size;
    std::uint64_t bytes_sent;
    std::int64_t received;  // system_clock ticks
    std::int64_t duration_us;
    std::int64_t delay_ms;
    std::int64_t upstream_time_us;
    std::int32_t status;
    std::int32_t upstream_status;
    std::uint32_t stream_id;
    std::uint8_t flags;
};

enum Flag : std::uint8_t {
    kBodyTruncated = 1,
    kAnswered = 2,
    kUnmatched = 4,
    kHasRoute = 8,
    kHasTls = 16,
    kHasUpstream = 32,
};

constexpr std::size_t kMaxText = std::numeric_limits<std::uint32_t>::max();

std::string_view capped(std::string_view text) { return text.substr(0, kMaxText); }

// Calls `each` with every string of `r` in the block's order, the body last.
template <typename Each>
void for_each_text(const RecordedRequest& r, std::string_view body, Each&& each) {
    each(r.server);
    each(r.route ? std::string_view(*r.route) : std::string_view());
    each(r.method);
    each(r.target);
    each(r.path);
    each(r.version);
    each(r.client);
    each(r.explanation);
    each(r.state);
    each(r.next_state);
    each(r.fault);
    if (r.tls) {
        each(r.tls->version);
        each(r.tls->cipher);
        each(r.tls->sni);
        each(r.tls->alpn);
        each(r.tls->client_subject);
    }
    if (r.upstream) {
        each(r.upstream->url);
        each(r.upstream->error);
    }
    for (const auto& [name, value] : r.query) each(name), each(value);
    for (const auto& [name, value] : r.headers) each(name), each(value);
    each(body);
}

class Writer {
public:
    explicit Writer(char* at) : at_(at) {}
    void raw(const void* data, std::size_t size) {
        if (size == 0) return;  // an empty view's data() may be null, which memcpy may not be given
        std::memcpy(at_, data, size);
        at_ += size;
    }
    void count(std::size_t n) {
        const auto value = static_cast<std::uint32_t>(std::min(n, kMaxText));
        raw(&value, sizeof value);
    }
    void text(std::string_view s) {
        s = capped(s);
        count(s.size());
        raw(s.data(), s.size());
    }

private:
    char* at_;
};

class Reader {
public:
    explicit Reader(const char* at) : at_(at) {}
    void raw(void* data, std::size_t size) {
        std::memcpy(data, at_, size);
        at_ += size;
    }
    std::uint32_t count() {
        std::uint32_t value;
        raw(&value, sizeof value);
        return value;
    }
    void text(std::string& out) {
        const auto size = count();
        out.assign(at_, size);
        at_ += size;
    }
    std::string text() {
        std::string out;
        text(out);
        return out;
    }
    void pairs(std::vector<std::pair<std::string, std::string>>& out, std::uint32_t n) {
        out.resize(n);
        for (auto& [name, value] : out) text(name), text(value);
    }

private:
    const char* at_;
};

}  // namespace

PackedRequest::PackedRequest(const RecordedRequest& r, std::size_t max_body_bytes) : sequence_(r.sequence) {
    const auto body = std::string_view(r.body).substr(0, max_body_bytes);
    std::size_t size = sizeof(Fixed) + 2 * sizeof(std::uint32_t);  // and the query's and the headers' counts
    for_each_text(r, body, [&](std::string_view s) { size += sizeof(std::uint32_t) + capped(s).size(); });
    block_ = EntryArena::allocate(size);
    size_ = static_cast<std::uint32_t>(size);
    body_bytes_ = static_cast<std::uint32_t>(capped(body).size());

    Fixed fixed{};
    fixed.body_size = r.body_size;
    fixed.bytes_sent = r.bytes_sent;
    fixed.received = r.received.time_since_epoch().count();
    fixed.duration_us = r.duration.count();
    fixed.delay_ms = r.delay.count();
    fixed.status = r.status;
    fixed.stream_id = r.stream_id;
    if (r.upstream) {
        fixed.upstream_status = r.upstream->status;
        fixed.upstream_time_us = r.upstream->time.count();
    }
    fixed.flags = static_cast<std::uint8_t>((r.body_truncated || body.size() < r.body.size() ? kBodyTruncated : 0) |
                                            (r.answered ? kAnswered : 0) | (r.unmatched ? kUnmatched : 0) |
                                            (r.route ? kHasRoute : 0) | (r.tls ? kHasTls : 0) |
                                            (r.upstream ? kHasUpstream : 0));
    Writer out(block_.data());
    out.raw(&fixed, sizeof fixed);
    out.count(r.query.size());
    out.count(r.headers.size());
    for_each_text(r, body, [&](std::string_view s) { out.text(s); });
}

std::size_t PackedRequest::memory() const { return sizeof(PackedRequest) + block_.size(); }

RecordedRequest PackedRequest::unpack() const {
    RecordedRequest r;
    Reader in(block_.data());
    Fixed fixed;
    in.raw(&fixed, sizeof fixed);
    const auto queries = in.count();
    const auto headers = in.count();
    r.sequence = sequence_;
    r.body_size = fixed.body_size;
    r.bytes_sent = fixed.bytes_sent;
    r.received = std::chrono::system_clock::time_point(std::chrono::system_clock::duration(fixed.received));
    r.duration = std::chrono::microseconds(fixed.duration_us);
    r.delay = std::chrono::milliseconds(fixed.delay_ms);
    r.status = fixed.status;
    r.stream_id = fixed.stream_id;
    r.body_truncated = fixed.flags & kBodyTruncated;
    r.answered = fixed.flags & kAnswered;
    r.unmatched = fixed.flags & kUnmatched;
    in.text(r.server);
    auto route = in.text();
    if (fixed.flags & kHasRoute) r.route = std::move(route);
    in.text(r.method);
    in.text(r.target);
    in.text(r.path);
    in.text(r.version);
    in.text(r.client);
    in.text(r.explanation);
    in.text(r.state);
    in.text(r.next_state);
    in.text(r.fault);
    if (fixed.flags & kHasTls) {
        auto& tls = r.tls.emplace();
        in.text(tls.version);
        in.text(tls.cipher);
        in.text(tls.sni);
        in.text(tls.alpn);
        in.text(tls.client_subject);
    }
    if (fixed.flags & kHasUpstream) {
        auto& upstream = r.upstream.emplace();
        in.text(upstream.url);
        in.text(upstream.error);
        upstream.status = fixed.upstream_status;
        upstream.time = std::chrono::microseconds(fixed.upstream_time_us);
    }
    in.pairs(r.query, queries);
    in.pairs(r.headers, headers);
    in.text(r.body);
    return r;
}

void PackedRequest::drop_body() {
    if (body_bytes_ == 0) return;
    // The body is the block's last text: what stays is the front, with an empty body.
    const std::size_t size = size_ - body_bytes_;
    auto block = EntryArena::allocate(size);
    std::memcpy(block.data(), block_.data(), size - sizeof(std::uint32_t));
    const std::uint32_t empty = 0;
    std::memcpy(block.data() + size - sizeof empty, &empty, sizeof empty);
    Fixed fixed;
    std::memcpy(&fixed, block.data(), sizeof fixed);
    fixed.flags |= kBodyTruncated;
    std::memcpy(block.data(), &fixed, sizeof fixed);
    block_ = std::move(block);
    size_ = static_cast<std::uint32_t>(size);
    body_bytes_ = 0;
}

}  // namespace mockserve::scenario::detail
