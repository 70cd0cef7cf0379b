#include <mockserve/gtest/fake_server.hpp>

#include <mockserve/scenario/scenario_loader.hpp>

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

FakeServer::FakeServer(const std::filesystem::path& scenario_file) : runner_(load(scenario_file)) {}

FakeServer::FakeServer(const scenario::ScenarioBuilder& builder) : runner_(builder.build()) {}

FakeServer::FakeServer(scenario::Scenario scenario) : runner_(std::move(scenario)) {}

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
    if (report.passed()) return ::testing::AssertionSuccess() << report.to_string();
    return ::testing::AssertionFailure() << report.to_string();
}

}  // namespace mockserve::gtest
