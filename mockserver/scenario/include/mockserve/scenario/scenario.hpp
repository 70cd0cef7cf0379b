#pragma once
// Scenario: what a scenario file declares, as plain values. Loaded from INI
// (scenario_loader.hpp) or made in code (ScenarioBuilder); run by
// ScenarioRunner. scenarios/README.md documents the file format.

#include <mockserve/limits.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/regex.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mockserve::scenario {

using Field = std::pair<std::string, std::string>;

// "/a/b" (exact), "/a/*" (the prefix "/a/"), "~ ^/a/[0-9]+$" (a regular
// expression, searched in the decoded path).
struct PathPattern {
    enum class Kind { exact, prefix, regex };
    Kind kind = Kind::exact;
    std::string text;  // the path, the prefix without '*', or the expression
    std::shared_ptr<const Regex> regex;

    static PathPattern parse(const std::string& text);  // throws std::invalid_argument (a bad expression)
    bool matches(std::string_view path) const;
    std::string to_string() const;
};

// The conditions of a route's or an expectation's `request` keys; every one
// that is given must hold.
struct RequestPattern {
    std::vector<std::string> methods;  // empty: any
    std::optional<PathPattern> path;   // none: any
    std::vector<Field> query;          // name=value, each must be among the query parameters
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;  // nullopt: present
    std::optional<std::string> body;
    std::optional<std::string> body_contains;
    std::optional<std::string> body_regex_text;
    std::shared_ptr<const Regex> body_regex;
    std::optional<std::string> json;  // canonical JSON: keys sorted, no white space
};

struct CannedResponse {
    enum class Fault { none, reset, close, truncate };
    int status = 200;
    std::string reason;  // empty: the standard phrase
    std::vector<Field> headers;
    std::string body;
    // response.body_file as written, when the body was read from a file:
    // the scenario's text (GET /scenario, a recording) names the file
    // rather than repeating its content.
    std::string body_file;
    // response.delay: `delay`, or a time drawn uniformly from delay..delay_max
    // when delay_max is greater ("100ms..400ms").
    std::chrono::milliseconds delay{0};
    std::chrono::milliseconds delay_max{0};
    Fault fault = Fault::none;
    // response.fault = reset 10%: the fault strikes this often (1: always);
    // otherwise the route answers normally.
    double fault_probability = 1.0;
    // response.template = on: {{...}} in the body and header values is
    // filled from the request (scenarios/README.md lists the names).
    bool template_on = false;
    // response.chunk_size, response.chunk_delay: the body leaves in pieces of
    // this many bytes with this pause between them (0: at once).
    std::size_t chunk_size = 0;
    std::chrono::milliseconds chunk_delay{0};
    // response.event (server-sent events, in order), response.event_delay
    // (the pause between events), response.event_repeat (start again after
    // the last, until the client leaves).
    std::vector<std::string> events;
    std::chrono::milliseconds event_delay{0};
    bool event_repeat = false;
};
// The tree under `directory` served below the route's prefix, as
// SimpleHTTPRequestHandler serves it.
struct StaticTree {
    std::string directory;
};
// CGI scripts in `directory`, run as CGIHTTPRequestHandler runs them, mounted
// at the route's prefix.
struct CgiScripts {
    std::string directory;
};
// proxy = URL: the request is forwarded to URL's server, and its response
// streamed back (scenarios/README.md, "Proxy routes and recording").
struct Proxy {
    std::string url;             // as written: http://HOST[:PORT][/BASE] or https://...
    std::string strip_prefix;    // proxy.strip_prefix: taken off the path before BASE is put in front
    std::vector<Field> headers;  // proxy.header: set on the forwarded request, replacing the client's of that name
    std::string ca_file;         // proxy.ca_file: what an HTTPS upstream's certificate must chain to; empty: the system's store
    bool insecure = false;       // proxy.insecure = on: an HTTPS upstream's certificate is not checked at all
    // proxy.timeout: how long the upstream may take to accept the
    // connection and to send its response head, and the longest pause in
    // its body. Then 504 (or, once the head has gone to the client, a close).
    std::chrono::milliseconds timeout{30'000};
    // proxy.record = FILE.ini: what passed through the route is appended to
    // FILE as routes when the run ends. The three below are what
    // `mockserve record` sets from its options; a scenario file keeps their
    // defaults.
    std::string record;
    std::vector<std::string> record_headers;  // headers a recorded route matches on (--match-headers)
    std::string record_body_dir;              // bodies that are not short text go here (--body-dir); empty: FILE-bodies/
    bool record_secrets = false;              // --keep-secrets: credentials are written as they were
};
struct RecordedRequest;
// An answer computed by code for each request (a GoogleMock object, for one).
// It runs on a server thread, possibly on several at once; an exception it
// throws becomes a 500.
struct Callback {
    std::function<CannedResponse(const RecordedRequest&)> answer;
};
using Action = std::variant<CannedResponse, StaticTree, CgiScripts, Callback, Proxy>;

// A state of a state machine: `state = created` (the server's own machine,
// machine empty) or `state = cart:full` (the machine "cart", shared by every
// server of the scenario). Every machine starts in "start".
struct StateRef {
    std::string machine;
    std::string state;
    static std::optional<StateRef> parse(std::string_view text);  // nothing: not NAME or MACHINE:NAME
    std::string to_string() const;  // as written
    bool operator==(const StateRef& other) const { return machine == other.machine && state == other.state; }
};

struct Route {
    std::string name;
    int line = 0;  // where it was declared; 0 when built in code
    RequestPattern request;
    Action action;
    // times = N: the route answers its first N matching requests, then no
    // longer matches (the next route in order gets them).
    std::optional<std::uint64_t> times;
    // state: it matches only while its machine is in this state.
    std::optional<StateRef> state;
    // next_state: once it has answered, its machine moves to this state.
    std::optional<StateRef> next_state;
    bool stateful() const { return times || state || next_state; }
};

// A server's TLS (`tls = on` and the tls.* keys of its section). Without a
// given certificate the runner makes one, signed by the run's authority.
struct TlsSpec {
    bool enabled = false;
    std::string cert;           // tls.cert: a PEM certificate (and chain) file; empty: generated
    std::string key;            // tls.key: its private key; empty: in the cert file
    std::string password_file;  // tls.password_file: the key's password (white space around it ignored)
    // tls.client_ca: mutual TLS. "generate": clients need a certificate of
    // the run's authority (the runner makes one for the test); a file: of
    // the authorities in it; empty: no client certificate asked for.
    std::string client_ca;
};

// The run's certificate authority when it is given (tls.ca_cert, tls.ca_key:
// PEM files, the key unencrypted) rather than made for the run.
struct AuthoritySpec {
    std::string cert;
    std::string key;
};

struct ServerSpec {
    std::string name;
    int line = 0;
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;  // 0: ephemeral
    std::string protocol = "HTTP/1.1";
    // Who runs its CGI scripts: "" for Python's rule (nobody when mockserve
    // runs as root, else mockserve's user), "current", or a user name.
    std::string cgi_user;
    http::Limits limits;
    TlsSpec tls;
    // `http2 = on`: HTTP/2 besides HTTP/1.1 (h2 by ALPN with tls = on; h2c
    // by prior knowledge or Upgrade without). Off by default.
    bool http2 = false;
    std::vector<Route> routes;
};

// `count = N`, `>=N`, `<=N`.
struct CountRule {
    enum class Op { exactly, at_least, at_most };
    Op op = Op::at_least;
    std::size_t n = 1;
    bool holds(std::size_t actual) const;
    std::string to_string() const;
};

struct Expectation {
    std::string server;
    std::string name;
    int line = 0;
    RequestPattern request;
    CountRule count;
    // after = NAME (or SERVER/NAME): every request matching this one came
    // after the first request matching that expectation.
    std::string after;
};

// [scenario] unmatched: what a request no route matches does to the run.
// Either way it is answered 404 with its near-miss explanation; with `fail`
// it also fails verification (the report lists it, the command exits 1).
enum class Unmatched { respond_404, fail };

struct Scenario {
    std::string name;
    std::string file;  // the file it was loaded from, if any
    std::string text;  // the INI text it was loaded from; empty when made in code
    // Every file it was read from: the scenario file, then the files it
    // names (response.body_file, tls.*), as absolute paths; --watch
    // reloads when one of them changes.
    std::vector<std::string> files;
    std::vector<ServerSpec> servers;
    std::vector<Expectation> expectations;
    // The [scenario] section's journal keys: how the runner keeps its journal.
    JournalLimits journal;
    AuthoritySpec authority;
    Unmatched unmatched = Unmatched::respond_404;
    // [scenario] seed: every random choice (delay ranges, fault
    // probabilities, {{uuid}}) follows from it; none: drawn at start, and
    // printed with the report so that a run can be replayed.
    std::optional<std::uint64_t> seed;
    // [scenario] control = PORT: the runner serves its control API there
    // (0: an ephemeral port); control_bind, the address (127.0.0.1 unless
    // given; any other asks for a token).
    std::optional<std::uint16_t> control;
    std::string control_bind;

    const ServerSpec* find_server(std::string_view name) const;
};

// Text for a JSON document with object keys sorted and no white space, or
// nothing if `text` is not JSON: two documents are JSON-equal when their
// canonical forms are equal.
std::optional<std::string> canonical_json(std::string_view text);

}  // namespace mockserve::scenario
