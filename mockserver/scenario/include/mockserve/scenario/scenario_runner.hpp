#pragma once
// ScenarioRunner: starts every server of a scenario on its port (ephemeral
// unless the scenario says otherwise), records what they receive in one
// journal, checks the scenario's expectations, and stops everything when it
// is destroyed. Runners are independent: many can run in one process.
//
//   ScenarioRunner runner(load_scenario("scenarios/rest-api.ini").scenario.value());
//   call_the_code_under_test(runner.url("api"));
//   EXPECT_TRUE(runner.verify().passed()) << runner.verify();

#include <mockserve/http_server.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario {

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
};

struct VerificationReport {
    std::vector<ExpectationResult> results;
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

    // "http://127.0.0.1:PORT" of the named server; throws std::out_of_range.
    std::string url(std::string_view server) const;
    std::uint16_t port(std::string_view server) const;
    // The servers' names, in the scenario's order.
    std::vector<std::string> server_names() const;

    Journal& journal() { return journal_; }
    const Journal& journal() const { return journal_; }
    const Scenario& scenario() const { return scenario_; }

    VerificationReport verify() const;
    // Stops every server (graceful, as HTTPServer::shutdown). Idempotent.
    void stop();

private:
    struct Running;
    Running& find(std::string_view server) const;

    Scenario scenario_;
    Journal journal_;
    std::vector<std::unique_ptr<Running>> servers_;
};

}  // namespace mockserve::scenario
