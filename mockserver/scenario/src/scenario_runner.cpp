#include <mockserve/scenario/scenario_runner.hpp>

#include "exchange_journal.hpp"
#include "request_matcher.hpp"
#include "scenario_handler.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace mockserve::scenario {

struct ScenarioRunner::Running {
    Running(const ServerSpec& spec, Journal& journal, const RunnerOptions& options)
        : context(spec, journal),
          server(http::Address{spec.bind, spec.port},
                 [this] { return std::make_unique<detail::ScenarioHandler>(context); }, spec.limits) {
        if (journal.enabled()) server.set_exchange_observer(detail::journal_feed(journal, spec.name));
        if (options.log) {
            server.set_log_sink(options.log);
        } else {
            server.quiet();
        }
        server.start();
    }
    detail::ServerContext context;
    http::ThreadingHTTPServer server;
};

ScenarioRunner::ScenarioRunner(Scenario scenario, RunnerOptions options)
    : scenario_(std::move(scenario)), journal_(scenario_.journal) {
    for (const auto& spec : scenario_.servers) servers_.push_back(std::make_unique<Running>(spec, journal_, options));
}

ScenarioRunner::~ScenarioRunner() { stop(); }

ScenarioRunner::Running& ScenarioRunner::find(std::string_view name) const {
    for (const auto& running : servers_)
        if (running->context.spec.name == name) return *running;
    throw std::out_of_range("no server named '" + std::string(name) + "' in the scenario");
}

std::string ScenarioRunner::url(std::string_view server) const { return find(server).server.url(); }

std::uint16_t ScenarioRunner::port(std::string_view server) const { return find(server).server.server_port; }

std::vector<std::string> ScenarioRunner::server_names() const {
    std::vector<std::string> names;
    for (const auto& spec : scenario_.servers) names.push_back(spec.name);
    return names;
}

void ScenarioRunner::stop() {
    for (auto& running : servers_) running->server.shutdown();
}

namespace {

detail::RequestFacts facts_of(const RecordedRequest& r) {
    detail::RequestFacts facts;
    facts.method = r.method;
    facts.path = r.path;
    facts.query = &r.query;
    facts.headers = &r.headers;
    facts.body = r.body;
    return facts;
}

std::string describe(const RequestPattern& p) {
    std::string text;
    for (std::size_t i = 0; i < p.methods.size(); ++i) text += (i ? "|" : "") + p.methods[i];
    if (!text.empty()) text += " ";
    text += p.path ? p.path->to_string() : std::string("any path");
    return text;
}

}  // namespace

VerificationReport ScenarioRunner::verify() const {
    constexpr std::size_t kClosest = 3;
    VerificationReport report;
    const auto entries = journal_.entries();
    for (const auto& expectation : scenario_.expectations) {
        ExpectationResult result;
        result.expectation = expectation;
        std::vector<std::pair<const RecordedRequest*, std::vector<std::string>>> misses;
        for (const auto& entry : entries) {
            if (entry.server != expectation.server) continue;
            std::vector<std::string> why;
            if (detail::matches(expectation.request, facts_of(entry), &why)) {
                ++result.count;
                if (result.matched.size() < kClosest) result.matched.push_back(entry);
            } else {
                misses.emplace_back(&entry, std::move(why));
            }
        }
        result.passed = expectation.count.holds(result.count);
        if (result.passed) result.matched.clear();
        if (!result.passed) {
            std::stable_sort(misses.begin(), misses.end(),
                             [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
            for (std::size_t i = 0; i < misses.size() && i < kClosest; ++i)
                result.closest.emplace_back(*misses[i].first, misses[i].second);
        }
        report.results.push_back(std::move(result));
    }
    return report;
}

bool VerificationReport::passed() const {
    return std::all_of(results.begin(), results.end(), [](const ExpectationResult& r) { return r.passed; });
}

std::string VerificationReport::to_string() const {
    std::ostringstream out;
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.passed; });
    out << "expectations: " << results.size() - static_cast<std::size_t>(failed) << " passed, " << failed << " failed\n";
    for (const auto& r : results) {
        const auto& e = r.expectation;
        out << (r.passed ? "  ok     " : "  FAILED ") << e.server << " " << e.name;
        if (e.line) out << " (line " << e.line << ")";
        out << ": " << e.count.to_string() << " request(s) matching " << describe(e.request) << ", got " << r.count
            << "\n";
        if (r.passed) continue;
        const bool too_many = r.count > r.expectation.count.n;
        if (too_many) {
            out << "         requests that matched:\n";
            for (const auto& request : r.matched) out << "           " << summary(request) << "\n";
        } else if (!r.closest.empty()) {
            out << "         closest requests to " << e.server << ":\n";
            for (const auto& [request, why] : r.closest) {
                out << "           " << summary(request) << ": ";
                for (std::size_t i = 0; i < why.size(); ++i) out << (i ? "; " : "") << why[i];
                out << "\n";
            }
        } else {
            out << "         no request reached " << e.server << "\n";
        }
    }
    return out.str();
}

std::ostream& operator<<(std::ostream& os, const VerificationReport& report) { return os << report.to_string(); }

}  // namespace mockserve::scenario
