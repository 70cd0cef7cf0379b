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

#include <mockserve/certificate_authority.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario {

namespace detail {
class ScenarioState;
}

struct RunnerOptions {
    // Request log lines (Python's format); none by default.
    http::LogSink log;
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
    const Scenario& scenario() const { return scenario_; }

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
    // `times` count and random draw back to zero: as the run began.
    void reset();
    // The seed of the run's random choices ([scenario] seed, or drawn at start).
    std::uint64_t seed() const;
    // Stops every server (graceful, as HTTPServer::shutdown). Idempotent.
    void stop();

private:
    struct Running;
    Running& find(std::string_view server) const;

    class TlsFolder;
    void prepare_tls();

    Scenario scenario_;
    Journal journal_;
    std::unique_ptr<detail::ScenarioState> state_;
    std::optional<http::CertificateAuthority> authority_;
    std::unique_ptr<TlsFolder> tls_folder_;
    std::string ca_pem_;
    std::string ca_file_;
    std::vector<std::unique_ptr<Running>> servers_;
};

}  // namespace mockserve::scenario
