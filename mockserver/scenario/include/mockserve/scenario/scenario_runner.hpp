#pragma once
// ScenarioRunner: starts every server of a scenario on its port (ephemeral
// unless the scenario says otherwise), records what they receive in one
// journal, checks the scenario's expectations, and stops everything when it
// is destroyed. Runners are independent: many can run in one process.
//
//   ScenarioRunner runner(load_scenario("scenarios/rest-api.ini").scenario.value());
//   call_the_code_under_test(runner.url("api"));
//   EXPECT_TRUE(runner.verify().passed()) << runner.verify();
//
// HTTPS: a server with `tls = on` and no certificate of its own gets one made
// at start, for localhost, 127.0.0.1, ::1 and its bind address, signed by
// one certificate authority per runner (made at start too, unless the
// scenario gives one). The authority's certificate is written to ca_file(),
// in a folder only this user can enter, removed with the runner: a client
// under test trusts that one file for every server of the run.
//
// While it runs, the scenario can change: reload() replaces its routes,
// expectations and responses (servers keep their ports, the journal stays),
// add_routes() puts routes in front of the file's for a while, and the
// control API (ControlOptions; scenarios/README.md) offers all of it, and
// the journal, over HTTP to tests in any language.

#include <mockserve/certificate_authority.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario {

namespace detail {
class LiveRouting;
class ControlServer;
class FileWatcher;
class ProxyResources;
}

// The control API: JSON over HTTP on the loopback address (endpoints and
// rules in scenarios/README.md), and the live journal page at its root.
struct ControlOptions {
    // The port to serve it on (0: any free one). None: as the scenario's
    // [scenario] control says; off when it says nothing either.
    std::optional<std::uint16_t> port;
    // The address to bind: 127.0.0.1 unless given here or by [scenario]
    // control_bind. Any other address makes the run require a token
    // (control_token()) on every request.
    std::string bind;
};

struct RunnerOptions {
    // Request log lines (Python's format); none by default.
    http::LogSink log;
    ControlOptions control;
    // Reload (as reload() does) whenever the scenario's file, or a file it
    // names, changes; a file with mistakes is refused and the run goes on
    // as it was. Needs a scenario loaded from a file.
    bool watch = false;
    // What the runner says about itself while it runs (a reload done or
    // refused, with the file's FILE:LINE mistakes); standard error when
    // none is given.
    http::LogSink notices;
};

struct ExpectationResult {
    Expectation expectation;
    std::size_t count = 0;
    bool passed = false;
    // When it failed: the requests to its server that came closest, each
    // with what did not match, and the first requests that did match (what
    // to look at when there were too many).
    std::vector<std::pair<RecordedRequest, std::vector<std::string>>> closest;
    std::vector<RecordedRequest> matched;
    // after = NAME: why the order does not hold (the two requests, by
    // sequence number, time and request line); empty when it holds.
    std::string order_violation;
    // Its lines of the report ("  ok     api create ..." and, when it
    // failed, the requests that came closest).
    std::string to_string() const;
};

struct VerificationReport {
    std::vector<ExpectationResult> results;
    // With [scenario] unmatched = fail: the requests no route matched, each
    // failing the run.
    bool strict = false;
    std::vector<RecordedRequest> unmatched;
    // The run's seed, printed so that its random choices can be replayed.
    std::uint64_t seed = 0;
    bool passed() const;
    std::string to_string() const;
};
std::ostream& operator<<(std::ostream& os, const VerificationReport& report);

class ScenarioRunner {
public:
    explicit ScenarioRunner(Scenario scenario, RunnerOptions options = {});
    ~ScenarioRunner();
    ScenarioRunner(const ScenarioRunner&) = delete;
    ScenarioRunner& operator=(const ScenarioRunner&) = delete;

    // "http://127.0.0.1:PORT" ("https://..." with tls = on) of the named
    // server; throws std::out_of_range.
    std::string url(std::string_view server) const;
    std::uint16_t port(std::string_view server) const;
    // The servers' names, in the scenario's order.
    std::vector<std::string> server_names() const;

    Journal& journal() { return journal_; }
    const Journal& journal() const { return journal_; }
    // The scenario as it runs now: the file's (or the last reload's), with
    // the routes added at run time in front of each server's own.
    Scenario scenario() const;
    // The same as INI text: the added routes' sections as they were given,
    // then the scenario's file as it was loaded (a scenario made in code
    // has no file: its servers, routes and expectations are then written
    // out, a callback route as a comment).
    std::string scenario_text() const;

    // Replaces the routes, expectations and responses with `next`'s: each
    // server keeps its port, the journal is kept, states and counters start
    // again, routes added at run time are dropped. Refused (the reasons are
    // returned, nothing changes) when `next` changes what a running server
    // cannot: its name, order, address, port, protocol, TLS or limits, or
    // the journal's settings.
    std::vector<std::string> reload(Scenario next);
    // Loads the scenario's file again and reloads it; its FILE:LINE
    // mistakes are returned when it has any.
    std::vector<std::string> reload();
    // Adds the [route SERVER NAME] sections of `ini` (canned responses only:
    // no static, cgi or response.body_file) in front of the servers' routes,
    // the last added first; states and counts go on. Returns its
    // "LABEL:LINE: ..." mistakes, and adds nothing, when it has any.
    std::vector<std::string> add_routes(std::string_view ini, const std::string& label = "routes");
    // Removes a route added by add_routes(); false when there is none of
    // that name on that server.
    bool remove_route(std::string_view server, std::string_view name);

    // "http://127.0.0.1:PORT" of the control API; empty when it is off.
    std::string control_url() const;
    // What every control request must carry when the API is bound to an
    // address other than the loopback one; empty otherwise.
    const std::string& control_token() const;

    // The run's certificate authority as PEM, and the file that holds it;
    // both empty when no server has TLS.
    const std::string& ca_pem() const { return ca_pem_; }
    const std::string& ca_file() const { return ca_file_; }
    // With tls.client_ca = generate: the client certificate (and key) made
    // for the named server, as files beside ca_file() and as PEM text.
    // Empty when the server asks for none; throws std::out_of_range for an
    // unknown server.
    const std::string& client_cert_file(std::string_view server) const;
    const std::string& client_key_file(std::string_view server) const;
    const http::Credentials& client_credentials(std::string_view server) const;

    VerificationReport verify() const;
    // The journal cleared, every state machine back in "start", every
    // `times` count and random draw back to zero, the routes added at run
    // time gone: as the run began.
    void reset();
    // The seed of the run's random choices ([scenario] seed, or drawn at start).
    std::uint64_t seed() const;
    // Stops every server (graceful, as HTTPServer::shutdown). Idempotent.
    void stop();

private:
    struct Running;
    Running& find(std::string_view server) const;
    void start_control(const ControlOptions& options);
    void start_watching();
    void notice(const std::string& line) const;
    // Publishes a new routing from file_scenario_ and added_ (under changes_).
    void publish(bool carry_state);

    class TlsFolder;
    void prepare_tls();

    // Held while the scenario changes (a reload, routes added or removed, a reset).
    mutable std::mutex changes_;
    Scenario file_scenario_;  // as loaded (or reloaded)
    struct AddedRoute {
        std::string server;
        Route route;
        std::string text;  // its section, as given
    };
    std::vector<AddedRoute> added_;  // in the order added
    std::uint64_t seed_;
    Journal journal_;
    std::unique_ptr<detail::ProxyResources> proxies_;  // before live_: its routings use it
    std::unique_ptr<detail::LiveRouting> live_;
    std::unique_ptr<detail::ControlServer> control_;
    std::unique_ptr<detail::FileWatcher> watcher_;
    http::LogSink notices_;
    std::optional<http::CertificateAuthority> authority_;
    std::unique_ptr<TlsFolder> tls_folder_;
    std::string ca_pem_;
    std::string ca_file_;
    std::vector<std::unique_ptr<Running>> servers_;
};

}  // namespace mockserve::scenario
