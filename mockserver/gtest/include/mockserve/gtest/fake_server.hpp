#pragma once
// FakeServer: a scenario's servers for one test, on ephemeral ports, stopped
// when it goes out of scope. Parallel tests and test processes never collide.
//
//   mockserve::gtest::FakeServer server("checkout.ini");
//   client.post(server.url("api") + "/v1/payments", ...);
//   EXPECT_THAT(server.requests(), Contains(AllOf(Method("POST"), Path("/v1/payments"))));
//   EXPECT_TRUE(server.VerifyExpectations());
//
// The layer's casing rule: what is written inside a GoogleTest or GoogleMock
// expression (matchers, Response builders, MockRoute::Handle, and helpers
// that return an AssertionResult, such as WaitForRequest) is CamelCase like
// GoogleTest's own; accessors that hand back data (url, requests, journal)
// are snake_case like the rest of mockserve.

#include <mockserve/gtest/matchers.hpp>
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace mockserve::gtest {

class FakeServer {
public:
    // From a scenario file, found along the scenario search path when the
    // path is relative (<mockserve/scenario/scenario_search_path.hpp>);
    // throws std::runtime_error listing its mistakes, or where it looked.
    // `options`: the runner's (a control API for a helper in another
    // language, --watch's reloading, a request log).
    explicit FakeServer(const std::filesystem::path& scenario_file, scenario::RunnerOptions options = {});
    explicit FakeServer(const scenario::ScenarioBuilder& builder, scenario::RunnerOptions options = {});
    explicit FakeServer(scenario::Scenario scenario, scenario::RunnerOptions options = {});
    // With [scenario] unmatched = fail, unmatched requests that
    // VerifyExpectations() has not already reported fail the test here.
    ~FakeServer();
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    // "http://127.0.0.1:PORT" of the named server, or of the only one
    // (std::invalid_argument when the scenario has several); "https://..."
    // for a server with tls = on.
    std::string url(std::string_view server = {}) const;
    // HTTPS: the run's certificate authority, which signed every generated
    // server certificate: the file to give a client to trust (libcurl's
    // CURLOPT_CAINFO), and its PEM text (CURLOPT_CAINFO_BLOB, an
    // ssl::context's add_certificate_authority). Empty without TLS.
    const std::string& ca_file() const { return runner_.ca_file(); }
    const std::string& ca_pem() const { return runner_.ca_pem(); }
    // tls.client_ca = generate: the client certificate and key made for
    // the named server (or the only one), as files.
    const std::string& client_cert_file(std::string_view server = {}) const;
    const std::string& client_key_file(std::string_view server = {}) const;
    // The port of the named server, or of the only one (its host is 127.0.0.1).
    std::uint16_t port(std::string_view server = {}) const;
    // "http://127.0.0.1:PORT" of the control API (RunnerOptions::control,
    // or [scenario] control); empty when it is off.
    std::string control_url() const { return runner_.control_url(); }
    // Every request received so far, in arrival order.
    std::vector<RecordedRequest> requests() const;
    scenario::Journal& journal() { return runner_.journal(); }
    scenario::ScenarioRunner& runner() { return runner_; }
    // Journal, state machines, `times` counts and random draws back to the
    // start, for a server shared by several tests.
    void reset();
    // The seed of the run's random choices ([scenario] seed, or drawn).
    std::uint64_t seed() const { return runner_.seed(); }

    // Waits (at most `timeout`) until a request matching `matcher` has come:
    // for clients that send in the background. On failure the message says
    // what was awaited and lists every request received.
    ::testing::AssertionResult WaitForRequest(const ::testing::Matcher<const RecordedRequest&>& matcher,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // The scenario's [expect] sections (their counts and their `after`
    // order) and, with unmatched = fail, every request no route matched; on
    // failure, the report (with the requests that came closest).
    ::testing::AssertionResult VerifyExpectations() const;

private:
    // `server`, or the name of the only server (std::invalid_argument if
    // there are several).
    std::string named(std::string_view server) const;

    scenario::ScenarioRunner runner_;
    // Unmatched requests already reported by VerifyExpectations() (by sequence).
    mutable std::uint64_t reported_unmatched_up_to_ = 0;
};

}  // namespace mockserve::gtest
