#pragma once
// RecordedRequest: one request a scenario server received, as a plain,
// copyable value. It prints like the HTTP message it was (request line,
// headers, body cut after 2 KiB), followed by what the server did with it.

#include <mockserve/tls_facts.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::scenario {

// A proxy route's exchange with its upstream, for the journal.
struct UpstreamFacts {
    std::string url;                      // where the request went: "https://staging.example.com:443/users"
    int status = 0;                       // the upstream's status; 0: none came
    std::chrono::microseconds time{0};    // from forwarding the request to the upstream's response head
    std::string error;                    // why it failed ("connection refused"); empty when it did not
};

struct RecordedRequest {
    std::uint64_t sequence = 0;  // arrival order, from 1, across all servers of a runner
    std::string server;
    std::optional<std::string> route;  // the route that answered; none when none matched
    std::string method;
    std::string target;  // as sent: "/v1/payments?x=1"
    std::string path;    // decoded, without the query
    std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
    std::string version;                                        // "HTTP/1.1", "HTTP/2.0"
    std::uint32_t stream_id = 0;                                // its HTTP/2 stream; 0 over HTTP/1.x
    std::vector<std::pair<std::string, std::string>> headers;  // in order, repeats kept
    std::string body;              // at most the journal's body cap
    std::uint64_t body_size = 0;   // the real size
    bool body_truncated = false;   // body holds less than body_size
    std::string client;            // "127.0.0.1:54321"
    std::optional<http::TlsFacts> tls;  // over HTTPS: version, cipher, SNI, ALPN, client certificate
    std::chrono::system_clock::time_point received;
    bool answered = false;         // false while a route is still answering it (what a MockRoute sees)
    int status = 0;                // 0: no response was sent (a fault, or the client left)
    std::uint64_t bytes_sent = 0;
    std::chrono::microseconds duration{0};
    std::string explanation;       // why no route matched, or why the request was refused
    bool unmatched = false;        // it reached the routes and none matched (answered 404)
    // With state machines: the state the request's machine was in when it
    // came, and the one it left it in ("start", "created"; "cart:full" for
    // a named machine); empty when its server has none and its route names
    // none.
    std::string state;
    std::string next_state;
    // What the route chose for it, when that can vary (a delay range, a
    // fault with a probability): the delay given, and the fault ("reset",
    // "close", "truncate"; empty for none).
    std::chrono::milliseconds delay{0};
    std::string fault;
    // When a proxy route forwarded it: what the upstream did.
    std::optional<UpstreamFacts> upstream;

    // The first value of a header (name case-insensitive), or nothing.
    std::optional<std::string> header(std::string_view name) const;
    // The first value of a query parameter, or nothing.
    std::optional<std::string> query_parameter(std::string_view name) const;
};

std::ostream& operator<<(std::ostream& os, const RecordedRequest& request);
// "2 requests received:" and each request as above, a blank line between
// them; "no request was received" for none.
std::string listing(const std::vector<RecordedRequest>& requests);
// "POST /v1/payments (route create-payment, 201)": one line, for lists.
std::string summary(const RecordedRequest& request);

}  // namespace mockserve::scenario
