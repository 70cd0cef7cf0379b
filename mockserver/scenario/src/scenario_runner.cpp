#include <mockserve/scenario/scenario_runner.hpp>

#include "exchange_journal.hpp"
#include "request_matcher.hpp"
#include "control_server.hpp"
#include "file_watcher.hpp"
#include "proxy_resources.hpp"
#include "ini_reader.hpp"
#include "routing.hpp"
#include "scenario_handler.hpp"
#include "scenario_reload.hpp"
#include "scenario_validation.hpp"
#include "scenario_writer.hpp"
#include "time_text.hpp"

#include <mockserve/scenario/scenario_loader.hpp>

#include <mockserve/https_server.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <iostream>
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
    Running(const ServerSpec& spec, std::size_t index, Journal& journal, const detail::LiveRouting& live,
            const RunnerOptions& options, const std::optional<http::TlsOptions>& tls)
        : name(spec.name), server(make_server(spec, index, live, tls)) {
        if (journal.enabled()) server->set_exchange_observer(detail::journal_feed(journal, spec.name));
        server->enable_http2(spec.http2);
        if (options.log) {
            server->set_log_sink(options.log);
        } else {
            server->quiet();
        }
        server->start();
    }
    static std::unique_ptr<http::HTTPServer> make_server(const ServerSpec& spec, std::size_t index,
                                                         const detail::LiveRouting& live,
                                                         const std::optional<http::TlsOptions>& tls) {
        auto factory = [&live, index] { return std::make_unique<detail::ScenarioHandler>(live, index); };
        const http::Address address{spec.bind, spec.port};
        if (tls) return std::make_unique<http::ThreadingHTTPSServer>(address, factory, *tls, spec.limits);
        return std::make_unique<http::ThreadingHTTPServer>(address, factory, spec.limits);
    }
    std::string name;
    std::unique_ptr<http::HTTPServer> server;
    // tls.client_ca = generate: what the test presents.
    http::Credentials client;
    std::string client_cert_file;
    std::string client_key_file;
};

ScenarioRunner::ScenarioRunner(Scenario scenario, RunnerOptions options)
    : file_scenario_(std::move(scenario)),
      seed_(file_scenario_.seed ? *file_scenario_.seed : drawn_seed()),
      journal_(file_scenario_.journal),
      notices_(options.notices) {
    {
        std::lock_guard hold(changes_);
        publish(false);
    }
    prepare_tls();
    for (std::size_t index = 0; index < file_scenario_.servers.size(); ++index) {
        const auto& spec = file_scenario_.servers[index];
        if (!spec.tls.enabled) {
            servers_.push_back(std::make_unique<Running>(spec, index, journal_, *live_, options, std::nullopt));
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
        auto& running = *servers_.emplace_back(std::make_unique<Running>(spec, index, journal_, *live_, options, tls));
        if (!client.certificate_pem.empty()) {
            running.client_cert_file = tls_folder_->write(spec.name + "-client.pem", client.certificate_pem);
            running.client_key_file = tls_folder_->write(spec.name + "-client-key.pem", client.private_key_pem);
            running.client = std::move(client);
        }
    }
    start_control(options.control);
    if (options.watch) start_watching();
}

void ScenarioRunner::notice(const std::string& line) const {
    if (notices_) return notices_(line);
    std::cerr << line << std::endl;
}

void ScenarioRunner::start_watching() {
    std::vector<std::string> files;
    {
        std::lock_guard hold(changes_);
        files = file_scenario_.files;
    }
    if (files.empty()) throw std::invalid_argument("watch: the scenario was made in code, it has no file to watch");
    watcher_ = std::make_unique<detail::FileWatcher>(files, [this] {
        const auto errors = reload();
        std::vector<std::string> now;
        std::string file;
        {
            std::lock_guard hold(changes_);
            now = file_scenario_.files;
            file = file_scenario_.file;
        }
        if (errors.empty()) {
            notice("mockserve: reloaded " + file);
        } else {
            notice("mockserve: " + file + " changed, but was not reloaded; the running scenario stays as it was:");
            for (const auto& error : errors) notice(error);
        }
        return now;
    });
}

void ScenarioRunner::start_control(const ControlOptions& options) {
    const auto port = options.port ? options.port : file_scenario_.control;
    if (!port) return;
    const auto& bind = options.bind.empty() ? file_scenario_.control_bind : options.bind;
    control_ = std::make_unique<detail::ControlServer>(*this, bind, *port);
}

std::string ScenarioRunner::control_url() const { return control_ ? control_->url() : std::string(); }

const std::string& ScenarioRunner::control_token() const {
    static const std::string none;
    return control_ ? control_->token() : none;
}

void ScenarioRunner::publish(bool carry_state) {
    // Each server's routes: the added ones, the last added first, then the file's.
    Scenario running = file_scenario_;
    std::vector<std::size_t> added(running.servers.size(), 0);
    for (const auto& route : added_) {
        auto& spec = *const_cast<ServerSpec*>(running.find_server(route.server));
        spec.routes.insert(spec.routes.begin(), route.route);
        ++added[static_cast<std::size_t>(&spec - running.servers.data())];
    }
    const auto before = live_ ? live_->current() : nullptr;
    if (!proxies_) proxies_ = std::make_unique<detail::ProxyResources>([this](const std::string& line) { notice(line); });
    auto next = std::make_shared<const detail::Routing>(std::move(running), added, journal_, seed_,
                                                        carry_state ? before.get() : nullptr, *proxies_);
    if (live_) {
        live_->publish(std::move(next));
    } else {
        live_ = std::make_unique<detail::LiveRouting>(std::move(next));
    }
}

void ScenarioRunner::prepare_tls() {
    const auto& scenario = file_scenario_;
    const bool any = std::any_of(scenario.servers.begin(), scenario.servers.end(),
                                 [](const ServerSpec& spec) { return spec.tls.enabled; });
    if (!any) return;
    if (!scenario.authority.cert.empty()) {
        std::string error;
        authority_ = detail::load_authority(scenario.authority, error);
        if (!authority_) throw std::invalid_argument("tls.ca_cert: " + error);
    } else {
        authority_ = http::CertificateAuthority::generate(
            "mockserve authority" + (scenario.name.empty() ? std::string() : " for " + scenario.name));
    }
    tls_folder_ = std::make_unique<TlsFolder>();
    ca_pem_ = authority_->certificate_pem();
    ca_file_ = tls_folder_->write("ca.pem", ca_pem_);
}

ScenarioRunner::~ScenarioRunner() {
    stop();
    control_.reset();
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
        if (running->name == name) return *running;
    throw std::out_of_range("no server named '" + std::string(name) + "' in the scenario");
}

std::string ScenarioRunner::url(std::string_view server) const { return find(server).server->url(); }

std::uint16_t ScenarioRunner::port(std::string_view server) const { return find(server).server->server_port; }

std::vector<std::string> ScenarioRunner::server_names() const {
    std::vector<std::string> names;
    for (const auto& running : servers_) names.push_back(running->name);
    return names;
}

Scenario ScenarioRunner::scenario() const { return live_->current()->scenario(); }

void ScenarioRunner::reset() {
    // Meant for a quiet moment (between two tests): a request still in
    // flight may land on either side of it.
    {
        std::lock_guard hold(changes_);
        added_.clear();
        publish(false);
    }
    journal_.clear();
}

std::vector<std::string> ScenarioRunner::reload(Scenario next) {
    std::lock_guard hold(changes_);
    auto refusals = detail::reload_refusals(file_scenario_, next);
    if (!refusals.empty()) return refusals;
    auto previous = std::move(file_scenario_);
    auto previous_added = std::move(added_);
    const auto previous_seed = seed_;
    if (next.seed) seed_ = *next.seed;  // else the run's goes on
    file_scenario_ = std::move(next);
    added_.clear();
    try {
        publish(false);
    } catch (const std::exception& e) {
        file_scenario_ = std::move(previous);
        added_ = std::move(previous_added);
        seed_ = previous_seed;
        return {e.what()};
    }
    return {};
}

std::vector<std::string> ScenarioRunner::reload() {
    std::string file;
    {
        std::lock_guard hold(changes_);
        file = file_scenario_.files.empty() ? std::string() : file_scenario_.files.front();
    }
    if (file.empty()) return {"the scenario was made in code: it has no file to load again"};
    auto loaded = load_scenario(file);
    if (!loaded.ok()) return loaded.errors;
    return reload(std::move(*loaded.scenario));
}

std::vector<std::string> ScenarioRunner::add_routes(std::string_view ini, const std::string& label) {
    std::lock_guard hold(changes_);
    auto parsed = parse_added_routes(ini, label, live_->current()->scenario());
    if (!parsed.ok()) return parsed.errors;
    const auto sections = detail::section_texts(ini);
    const auto before = added_.size();
    for (std::size_t i = 0; i < parsed.routes.size(); ++i) {
        auto& [server, route] = parsed.routes[i];
        route.line = 0;  // a line of the request, not of the file
        added_.push_back({server, std::move(route), i < sections.size() ? sections[i] : std::string()});
    }
    try {
        publish(true);
    } catch (const std::exception& e) {
        added_.resize(before);
        return {label + ": " + e.what()};
    }
    return {};
}

bool ScenarioRunner::remove_route(std::string_view server, std::string_view name) {
    std::lock_guard hold(changes_);
    const auto it = std::find_if(added_.begin(), added_.end(), [&](const AddedRoute& added) {
        return added.server == server && added.route.name == name;
    });
    if (it == added_.end()) return false;
    added_.erase(it);
    publish(true);
    return true;
}

std::string ScenarioRunner::scenario_text() const {
    std::lock_guard hold(changes_);
    std::string text;
    if (!added_.empty()) {
        text += "# Routes added at run time (the control API's POST /routes), the last added first:\n"
                "# they answer before the scenario's own.\n\n";
        for (auto it = added_.rbegin(); it != added_.rend(); ++it) text.append(it->text).append("\n");
        text += "# The scenario";
        if (!file_scenario_.file.empty()) text.append(" (").append(file_scenario_.file).append(")");
        text += ":\n\n";
    }
    return text + (file_scenario_.text.empty() ? detail::write_ini(file_scenario_) : file_scenario_.text);
}

std::uint64_t ScenarioRunner::seed() const { return seed_; }

void ScenarioRunner::stop() {
    watcher_.reset();
    if (control_) control_->stop();
    for (auto& running : servers_) running->server->shutdown();
    // Every request has been answered: what the recording routes let through is complete.
    if (proxies_)
        for (const auto& line : proxies_->write_recordings()) notice(line);
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
    report.seed = seed_;
    const auto routing = live_->current();
    const auto& scenario = routing->scenario();
    report.strict = scenario.unmatched == Unmatched::fail;
    // Read only when something is checked: a million entries take seconds to unpack.
    const auto entries = scenario.expectations.empty() && !report.strict ? std::vector<RecordedRequest>()
                                                                          : journal_.entries();
    const auto matching = [&](const Expectation& expectation, const RecordedRequest& entry) {
        return entry.server == expectation.server && detail::matches(expectation.request, facts_of(entry));
    };
    for (const auto& expectation : scenario.expectations) {
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
            const auto* before = detail::find_after(scenario, expectation, error);
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

std::string ExpectationResult::to_string() const {
    const auto& r = *this;
    std::ostringstream out;
    const auto& e = r.expectation;
    out << (r.passed ? "  ok     " : "  FAILED ") << e.server << " " << e.name;
    if (e.line) out << " (line " << e.line << ")";
    out << ": " << e.count.to_string() << " request(s) matching " << describe(e.request);
    if (!e.after.empty()) out << ", after " << e.after;
    out << ", got " << r.count << "\n";
    if (r.passed) return out.str();
    if (!r.order_violation.empty()) {
        out << "         out of order: " << r.order_violation << "\n";
        if (e.count.holds(r.count)) return out.str();
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
    return out.str();
}

std::string VerificationReport::to_string() const {
    std::ostringstream out;
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.passed; });
    out << "expectations: " << results.size() - static_cast<std::size_t>(failed) << " passed, " << failed << " failed\n";
    for (const auto& r : results) out << r.to_string();
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
