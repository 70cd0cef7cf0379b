#include "exchange_journal.hpp"

#include "request_matcher.hpp"

namespace mockserve::scenario::detail {

namespace {

// A request no route saw (the server refused it, or the client left while
// it was read): what the exchange record holds of it.
RecordedRequest unrouted_request(http::Exchange& e, const std::string& server, Journal& journal) {
    RecordedRequest r;
    r.sequence = journal.next_sequence();
    r.received = e.received;
    r.server = server;
    r.method = std::move(e.method);
    r.target = std::move(e.target);
    r.path = split_target(r.target).first;
    r.version = std::move(e.version);
    r.stream_id = e.stream_id;
    r.headers = e.headers.fields();
    r.client = e.client.host + ":" + std::to_string(e.client.port);
    if (e.tls) r.tls = *e.tls;
    if (e.refusal) {
        r.explanation = "refused: " + *e.refusal;
    } else if (e.end == http::Exchange::End::client_gone) {
        r.explanation = "the client left before the request was read";
    } else {
        r.explanation = "the request failed before a route was chosen";
    }
    return r;
}

}  // namespace

http::ExchangeObserver journal_feed(Journal& journal, std::string server) {
    return [&journal, server = std::move(server)](http::Exchange&& e) {
        const auto finish = [&](RecordedRequest&& request) {
            request.answered = true;
            request.status = e.status;
            request.bytes_sent = e.bytes_sent;
            journal.record(std::move(request));
        };
        if (auto* seen = std::any_cast<RecordedRequest*>(&e.annotation)) {
            (*seen)->received = e.received;
            (*seen)->duration = e.duration;
            (*seen)->stream_id = e.stream_id;
            return finish(std::move(**seen));
        }
        finish(unrouted_request(e, server, journal));
    };
}

}  // namespace mockserve::scenario::detail
