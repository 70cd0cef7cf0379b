#include "proxy_route.hpp"

#include "proxy_headers.hpp"
#include "upstream_response.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <algorithm>
#include <cstdio>

namespace mockserve::scenario::detail {

namespace {

using Clock = UpstreamConnection::Clock;
constexpr std::size_t kPiece = 64 * 1024;

// Keeps the first `cap` bytes of a body that passes through, and its size.
struct BodyTap {
    explicit BodyTap(std::size_t cap) : cap(cap) {}
    std::size_t cap;
    std::string kept;
    std::uint64_t size = 0;
    void take(std::string_view piece) {
        size += piece.size();
        if (kept.size() < cap) kept.append(piece.substr(0, cap - kept.size()));
    }
    bool whole() const { return kept.size() == size; }
};

std::string chunk_header(std::size_t size) {
    char text[24];
    const int n = std::snprintf(text, sizeof text, "%zx\r\n", size);
    return std::string(text, static_cast<std::size_t>(n));
}

}  // namespace

ProxyRoute::ProxyRoute(const Proxy& spec, UpstreamUrl url, std::shared_ptr<UpstreamPool> pool,
                       std::shared_ptr<Recording> recording)
    : spec_(spec), url_(std::move(url)), pool_(std::move(pool)), recording_(std::move(recording)) {}

void ProxyRoute::serve(http::BaseHTTPRequestHandler& handler, ProxiedRequest request, RecordedRequest& journal,
                       std::size_t cap, const std::function<void()>& abort) const {
    const auto start = Clock::now();
    // proxy.timeout bounds the connection and the head; each later wait
    // (a piece of a streamed body, the response's head, a piece of its body)
    // gets it anew: a long upload that makes progress never times out.
    const auto deadline = start + spec_.timeout;
    const auto from_now = [this] { return Clock::now() + spec_.timeout; };
    const auto target = url_.forwarded_target(request.target, spec_.strip_prefix);
    auto& upstream_facts = journal.upstream.emplace();
    upstream_facts.url = url_.origin() + target;
    const bool head_request = handler.command == "HEAD";

    // The head that goes up: the method, the target under the upstream's base, the fields, the framing.
    const auto& client_fields = handler.headers.fields();
    ForwardingFacts forwarding;
    forwarding.client_address = handler.client_address.host;
    forwarding.client_tls = request.client_tls;
    forwarding.client_version = handler.request_version;
    const auto host = url_.host_field();
    forwarding.upstream_host = host;
    forwarding.extra = &spec_.headers;
    std::string head = handler.command;
    head.append(" ").append(target).append(" HTTP/1.1\r\n");
    for (const auto& [name, value] : upstream_request_fields(client_fields, forwarding))
        head.append(name).append(": ").append(value).append("\r\n");
    const auto client_length = handler.headers.get("Content-Length");
    const bool client_chunked = handler.headers.get("Transfer-Encoding").has_value();
    bool chunked_up = false;
    if (request.body_whole) {
        if (!request.body_read.empty() || client_length || client_chunked)
            head.append("Content-Length: ").append(std::to_string(request.body_read.size())).append("\r\n");
    } else if (client_length) {
        head.append("Content-Length: ").append(*client_length).append("\r\n");
    } else {
        head.append("Transfer-Encoding: chunked\r\n");
        chunked_up = true;
    }
    head.append("\r\n");

    BodyTap journal_tap(cap);
    BodyTap record_tap(recording_ ? Recording::kMaxBody : 0);
    std::string framed;  // a chunk: its size line, the piece and its line end, in one write
    const auto send_piece = [&](UpstreamConnection& connection, std::string_view piece) {
        if (piece.empty()) return;
        if (!chunked_up) return connection.write_all(piece, from_now());
        framed.assign(chunk_header(piece.size())).append(piece).append("\r\n");
        connection.write_all(framed, from_now());
    };
    // What the journal shows of a body that streamed: its first `cap` bytes and its size.
    const auto note_streamed_body = [&] {
        if (request.body_whole) return;
        journal.body = std::move(journal_tap.kept);
        journal.body_size = journal_tap.size;
        journal.body_truncated = !journal_tap.whole();
    };

    std::unique_ptr<UpstreamConnection> connection;
    std::optional<UpstreamResponse> response;
    const UpstreamHead* upstream_head = nullptr;
    try {
        // A reused connection may have been closed by the upstream just now: one more try on a new one,
        // if the body is still at hand.
        for (int attempt = 0;; ++attempt) {
            connection = attempt == 0 ? pool_->take_idle() : nullptr;
            const bool reused = connection != nullptr;
            if (!connection) connection = pool_->open(deadline);
            try {
                connection->write_all(head, deadline);
                send_piece(*connection, request.body_read);
                if (!request.body_whole) {
                    // The rest of the body, as the client sends it.
                    journal_tap.take(request.body_read);
                    record_tap.take(request.body_read);
                    std::string piece(kPiece, '\0');
                    while (const auto got = handler.rfile.read_some(piece.data(), piece.size())) {
                        const std::string_view read(piece.data(), got);
                        journal_tap.take(read);
                        record_tap.take(read);
                        send_piece(*connection, read);
                    }
                    if (chunked_up) connection->write_all("0\r\n\r\n", from_now());
                }
                response.emplace(*connection, head_request);
                upstream_head = &response->read_head(request.body_whole ? deadline : from_now());
                break;
            } catch (const UpstreamError& error) {
                if (!(reused && request.body_whole && !error.timed_out && attempt == 0)) throw;
                response.reset();
            }
        }
    } catch (const UpstreamError& error) {
        note_streamed_body();
        return fail(handler, request.route, error, journal);
    }
    note_streamed_body();

    // The response's head, as the upstream sent it but for this hop's fields.
    const auto& upstream = *upstream_head;
    upstream_facts.status = upstream.status;
    upstream_facts.time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    const auto fields = client_response_fields(upstream.fields, upstream.version == 10 ? "1.0" : "1.1");
    handler.log_request(upstream.status);
    handler.send_response_only(upstream.status, upstream.reason.empty() ? std::nullopt : std::optional<std::string>(upstream.reason));
    for (const auto& [name, value] : fields) handler.send_header(name, value);
    handler.end_headers();

    BodyTap response_tap(recording_ ? Recording::kMaxBody : 0);
    // The connection goes back to the pool as soon as the upstream's
    // response has ended, before its last bytes go to the client: a client
    // that sends its next request at once finds it there.
    const auto give_back_when_done = [&] {
        if (connection && response->reusable()) pool_->give_back(std::move(connection));
    };
    try {
        give_back_when_done();
        while (true) {
            const auto piece = response->read_body(spec_.timeout);
            give_back_when_done();
            if (piece.empty()) break;
            response_tap.take(piece);
            handler.wfile.write(piece);
            handler.wfile.flush();  // an event stream or a slow download reaches the client as it comes
        }
    } catch (const UpstreamError& error) {
        upstream_facts.error = std::string(error.what()) + " (after the response head)";
        handler.log_error("route %s: %s: %s", std::string(request.route), url_.origin(), error.what());
        abort();
        return;
    }

    if (recording_) {
        const auto& request_body = request.body_whole ? request.body_read : record_tap.kept;
        if (!record_tap.whole() || !response_tap.whole()) {
            recording_->count_left_out();
            return;
        }
        ProxiedExchange exchange;
        exchange.method = handler.command;
        exchange.target = std::string(request.target);
        exchange.request_headers = client_fields;
        exchange.request_body = request_body;
        exchange.status = upstream.status;
        exchange.reason = upstream.reason;
        exchange.response_headers = fields;
        exchange.response_body = std::move(response_tap.kept);
        exchange.response_chunked = !upstream.has_length && !head_request && http::detail::status_has_body(upstream.status);
        recording_->add(std::move(exchange));
    }
}

void ProxyRoute::fail(http::BaseHTTPRequestHandler& handler, std::string_view route, const UpstreamError& error,
                      RecordedRequest& journal) const {
    auto& facts = *journal.upstream;
    facts.error = error.what();
    const int status = error.timed_out ? 504 : 502;
    std::string text = "mockserve: route ";
    text.append(route).append(" could not get a response from ").append(facts.url).append(": ");
    text.append(error.what()).append(error.timed_out ? " (proxy.timeout is " : "").append(
        error.timed_out ? std::to_string(spec_.timeout.count()) + " ms)" : "").append("\n");
    handler.send_response(status);
    handler.send_header("Content-Type", "text/plain; charset=utf-8");
    handler.send_header("Content-Length", std::to_string(text.size()));
    handler.end_headers();
    handler.wfile.write(text);
}

}  // namespace mockserve::scenario::detail
