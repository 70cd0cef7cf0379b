#include <mockserve/scenario/scenario_runner.hpp>

#include "exchange_journal.hpp"
#include "request_matcher.hpp"
#include "scenario_handler.hpp"
#include "scenario_state.hpp"
#include "time_text.hpp"

#include "scenario_validation.hpp"

#include <mockserve/https_server.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <random>
#include <fcntl.h>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <stdlib.h>
#include <unistd.h>

namespace mockserve::scenario {

namespace {

// What a generated server certificate names: the loopback names, and the
// address the server binds (the host's name when it binds every address).
std::vector<std::string> certificate_names(const std::string& bind) {
    std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(bind, ec);
    if (bind.empty() || (!ec && address.is_unspecified())) {
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0 && host[0] && std::string(host) != "localhost")
            names.emplace_back(host);
    } else if (std::find(names.begin(), names.end(), bind) == names.end()) {
        names.push_back(bind);
    }
    return names;
}

// A seed for a run that names none: printed with its report, so that a
// failing run can be replayed with [scenario] seed.
std::uint64_t drawn_seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

// A folder only this user can enter, for the run's TLS files, removed with
// the runner.
class ScenarioRunner::TlsFolder {
public:
    TlsFolder() {
        std::string pattern = (std::filesystem::temp_directory_path() / "mockserve-tls-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot make a folder for the TLS files: " + pattern);
        path_ = pattern;  // mkdtemp makes it 0700
    }
    ~TlsFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    // Writes `text` to a new file only this user can read; returns its path.
    std::string write(const std::string& name, const std::string& text) const {
        const auto file = (path_ / name).string();
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) throw std::runtime_error("cannot write " + file);
        const bool whole = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        if (!whole) throw std::runtime_error("cannot write " + file);
        return file;
    }

private:
    std::filesystem::path path_;
};

struct ScenarioRunner::Running {
    Running(const ServerSpec& spec, std::size_t index, Journal& journal, detail::ScenarioState& state,
            const RunnerOptions& options, const std::optional<http::TlsOptions>& tls)
        : context(spec, index, journal, state), server(make_server(spec, tls)) {
        if (journal.enabled()) server->set_exchange_observer(detail::journal_feed(journal, spec.name));
        if (options.log) {
            server->set_log_sink(options.log);
        } else {
            server->quiet();
        }
        server->start();
    }
    std::unique_ptr<http::HTTPServer> make_server(const ServerSpec& spec, const std::optional<http::TlsOptions>& tls) {
        auto factory = [this] { return std::make_unique<detail::ScenarioHandler>(context); };
        const http::Address address{spec.bind, spec.port};
        if (tls) return std::make_unique<http::ThreadingHTTPSServer>(address, factory, *tls, spec.limits);
        return std::make_unique<http::ThreadingHTTPServer>(address, factory, spec.limits);
    }
    detail::ServerContext context;
    std::unique_ptr<http::HTTPServer> server;
    // tls.client_ca = generate: what the test presents.
    http::Credentials client;
    std::string client_cert_file;
    std::string client_key_file;
};

ScenarioRunner::ScenarioRunner(Scenario scenario, RunnerOptions options)
    : scenario_(std::move(scenario)),
      journal_(scenario_.journal),
      state_(std::make_unique<detail::ScenarioState>(scenario_, scenario_.seed ? *scenario_.seed : drawn_seed())) {
    prepare_tls();
    for (std::size_t index = 0; index < scenario_.servers.size(); ++index) {
        const auto& spec = scenario_.servers[index];
        if (!spec.tls.enabled) {
            servers_.push_back(std::make_unique<Running>(spec, index, journal_, *state_, options, std::nullopt));
            continue;
        }
        http::TlsOptions tls;
        if (!spec.tls.cert.empty()) {
            std::string error;
            const auto password = detail::load_tls_password(spec.tls.password_file, error);
            if (!password) throw std::invalid_argument("server " + spec.name + ": " + error);
            tls = detail::server_tls_options(spec.tls, *password);
        } else {
            auto leaf = authority_->issue_server_certificate(certificate_names(spec.bind));
            tls.cert_pem = std::move(leaf.certificate_pem);
            tls.key_pem = std::move(leaf.private_key_pem);
        }
        http::Credentials client;
        if (spec.tls.client_ca == "generate") {
            tls.client_ca_pem = ca_pem_;
            client = authority_->issue_client_certificate("mockserve client of " + spec.name);
        } else {
            tls.client_ca_file = spec.tls.client_ca;
        }
        auto& running = *servers_.emplace_back(std::make_unique<Running>(spec, index, journal_, *state_, options, tls));
        if (!client.certificate_pem.empty()) {
            running.client_cert_file = tls_folder_->write(spec.name + "-client.pem", client.certificate_pem);
            running.client_key_file = tls_folder_->write(spec.name + "-client-key.pem", client.private_key_pem);
            running.client = std::move(client);
        }
    }
}

void ScenarioRunner::prepare_tls() {
    const bool any = std::any_of(scenario_.servers.begin(), scenario_.servers.end(),
                                 [](const ServerSpec& spec) { return spec.tls.enabled; });
    if (!any) return;
    if (!scenario_.authority.cert.empty()) {
        std::string error;
        authority_ = detail::load_authority(scenario_.authority, error);
        if (!authority_) throw std::invalid_argument("tls.ca_cert: " + error);
    } else {
        authority_ = http::CertificateAuthority::generate(
            "mockserve authority" + (scenario_.name.empty() ? std::string() : " for " + scenario_.name));
    }
    tls_folder_ = std::make_unique<TlsFolder>();
    ca_pem_ = authority_->certificate_pem();
    ca_file_ = tls_folder_->write("ca.pem", ca_pem_);
}

ScenarioRunner::~ScenarioRunner() {
    stop();
    servers_.clear();  // before the TLS folder goes
}

const std::string& ScenarioRunner::client_cert_file(std::string_view server) const {
    return find(server).client_cert_file;
}

const std::string& ScenarioRunner::client_key_file(std::string_view server) const {
    return find(server).client_key_file;
}

const http::Credentials& ScenarioRunner::client_credentials(std::string_view server) const {
    return find(server).client;
}

ScenarioRunner::Running& ScenarioRunner::find(std::string_view name) const {
    for (const auto& running : servers_)
        if (running->context.spec.name == name) return *running;
    throw std::out_of_range("no server named '" + std::string(name) + "' in the scenario");
}

std::string ScenarioRunner::url(std::string_view server) const { return find(server).server->url(); }

std::uint16_t ScenarioRunner::port(std::string_view server) const { return find(server).server->server_port; }

std::vector<std::string> ScenarioRunner::server_names() const {
    std::vector<std::string> names;
    for (const auto& spec : scenario_.servers) names.push_back(spec.name);
    return names;
}

void ScenarioRunner::reset() {
    // Meant for a quiet moment (between two tests): a request still in
    // flight may land on either side of it.
    state_->reset();
    journal_.clear();
}

std::uint64_t ScenarioRunner::seed() const { return state_->seed(); }

void ScenarioRunner::stop() {
    for (auto& running : servers_) running->server->shutdown();
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

// "#3 GET /v1/accounts at 2026-12-01T06:40:12.345678Z".
std::string order_words(const RecordedRequest& r) {
    std::string text = "#";
    text.append(std::to_string(r.sequence)).append(" ").append(r.method).append(" ").append(r.target);
    return text.append(" at ").append(detail::iso8601(r.received));
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
    report.seed = state_->seed();
    report.strict = scenario_.unmatched == Unmatched::fail;
    const auto entries = journal_.entries();
    const auto matching = [&](const Expectation& expectation, const RecordedRequest& entry) {
        return entry.server == expectation.server && detail::matches(expectation.request, facts_of(entry));
    };
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
        if (!expectation.after.empty()) {
            std::string error;
            const auto* before = detail::find_after(scenario_, expectation, error);
            const RecordedRequest* first = nullptr;  // the first request `before` matches (the journal is in order)
            for (const auto& entry : entries)
                if (before && matching(*before, entry)) {
                    first = &entry;
                    break;
                }
            for (const auto& entry : entries) {
                if (!matching(expectation, entry) || (first && entry.sequence > first->sequence)) continue;
                result.order_violation = first ? order_words(entry) + " came before " +
                                                     order_words(*first) + ", the first request of " +
                                                     expectation.after
                                               : order_words(entry) + " came, but no request matched " +
                                                     expectation.after + " before it";
                result.passed = false;
                break;
            }
        }
        report.results.push_back(std::move(result));
    }
    if (report.strict)
        for (const auto& entry : entries)
            if (entry.unmatched) report.unmatched.push_back(entry);
    return report;
}

bool VerificationReport::passed() const {
    return unmatched.empty() &&
           std::all_of(results.begin(), results.end(), [](const ExpectationResult& r) { return r.passed; });
}

std::string VerificationReport::to_string() const {
    std::ostringstream out;
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.passed; });
    out << "expectations: " << results.size() - static_cast<std::size_t>(failed) << " passed, " << failed << " failed\n";
    for (const auto& r : results) {
        const auto& e = r.expectation;
        out << (r.passed ? "  ok     " : "  FAILED ") << e.server << " " << e.name;
        if (e.line) out << " (line " << e.line << ")";
        out << ": " << e.count.to_string() << " request(s) matching " << describe(e.request);
        if (!e.after.empty()) out << ", after " << e.after;
        out << ", got " << r.count << "\n";
        if (r.passed) continue;
        if (!r.order_violation.empty()) {
            out << "         out of order: " << r.order_violation << "\n";
            if (e.count.holds(r.count)) continue;
        }
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
    if (strict) {
        out << "unmatched requests (unmatched = fail): " << unmatched.size() << "\n";
        for (const auto& request : unmatched) {
            out << "  FAILED #" << request.sequence << " " << request.method << " " << request.target << " on "
                << request.server << "\n";
            std::istringstream why(request.explanation);
            for (std::string line; std::getline(why, line);) out << "         " << line << "\n";
        }
    }
    out << "seed: " << seed << " (replay these random choices with [scenario] seed = " << seed << ")\n";
    return out.str();
}

std::ostream& operator<<(std::ostream& os, const VerificationReport& report) { return os << report.to_string(); }

}  // namespace mockserve::scenario
