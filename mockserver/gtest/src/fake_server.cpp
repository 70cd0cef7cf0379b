#include <mockserve/gtest/fake_server.hpp>

#include <mockserve/scenario/scenario_loader.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace mockserve::gtest {

namespace {

scenario::Scenario load(const std::filesystem::path& file) {
    auto loaded = scenario::load_scenario(file);
    if (!loaded.ok()) {
        std::string text = "the scenario " + file.string() + " could not be loaded:";
        for (const auto& error : loaded.errors) text += "\n  " + error;
        throw std::runtime_error(text);
    }
    return std::move(*loaded.scenario);
}

}  // namespace

FakeServer::FakeServer(const std::filesystem::path& scenario_file, scenario::RunnerOptions options)
    : runner_(load(scenario_file), std::move(options)) {}

FakeServer::FakeServer(const scenario::ScenarioBuilder& builder, scenario::RunnerOptions options)
    : runner_(builder.build(), std::move(options)) {}

FakeServer::FakeServer(scenario::Scenario scenario, scenario::RunnerOptions options)
    : runner_(std::move(scenario), std::move(options)) {}

FakeServer::~FakeServer() {
    runner_.stop();  // no request arrives after the last look
    if (runner_.scenario().unmatched != scenario::Unmatched::fail) return;  // a copy: cheap beside a test
    std::vector<RecordedRequest> unreported;
    for (auto& request : runner_.journal().entries())
        if (request.unmatched && request.sequence > reported_unmatched_up_to_) unreported.push_back(std::move(request));
    if (unreported.empty()) return;
    std::ostringstream message;
    message << "the scenario is strict (unmatched = fail) and " << unreported.size()
            << " request(s) matched no route:";
    for (const auto& request : unreported) {
        message << "\n  #" << request.sequence << " " << request.method << " " << request.target << " on "
                << request.server << "\n    ";
        for (const char c : request.explanation) message << c << (c == '\n' ? "    " : "");
    }
    ADD_FAILURE() << message.str();
}

void FakeServer::reset() {
    runner_.reset();
    reported_unmatched_up_to_ = 0;
}

std::string FakeServer::url(std::string_view server) const { return runner_.url(named(server)); }

const std::string& FakeServer::client_cert_file(std::string_view server) const {
    return runner_.client_cert_file(named(server));
}

const std::string& FakeServer::client_key_file(std::string_view server) const {
    return runner_.client_key_file(named(server));
}

std::uint16_t FakeServer::port(std::string_view server) const { return runner_.port(named(server)); }

std::string FakeServer::named(std::string_view server) const {
    if (!server.empty()) return std::string(server);
    const auto names = runner_.server_names();
    if (names.size() == 1) return names.front();
    std::string message = "FakeServer: the scenario has " + std::to_string(names.size()) + " servers; name one of";
    for (const auto& name : names) message += " " + name;
    throw std::invalid_argument(message);
}

std::vector<RecordedRequest> FakeServer::requests() const { return runner_.journal().entries(); }

::testing::AssertionResult FakeServer::WaitForRequest(const ::testing::Matcher<const RecordedRequest&>& matcher,
                                                      std::chrono::milliseconds timeout) {
    const bool arrived =
        runner_.journal().wait_for([&](const RecordedRequest& r) { return matcher.Matches(r); }, 1, timeout);
    if (arrived) return ::testing::AssertionSuccess();
    std::ostringstream expected;
    matcher.DescribeTo(&expected);
    return ::testing::AssertionFailure() << "no request that " << expected.str() << " arrived within "
                                         << timeout.count() << " ms; " << scenario::listing(requests());
}

::testing::AssertionResult FakeServer::VerifyExpectations() const {
    const auto report = runner_.verify();
    for (const auto& request : report.unmatched)
        reported_unmatched_up_to_ = std::max(reported_unmatched_up_to_, request.sequence);
    if (report.passed()) return ::testing::AssertionSuccess() << report.to_string();
    return ::testing::AssertionFailure() << report.to_string();
}

}  // namespace mockserve::gtest
