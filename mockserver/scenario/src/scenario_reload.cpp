#include "scenario_reload.hpp"

namespace mockserve::scenario::detail {

namespace {

std::string names(const Scenario& scenario) {
    std::string text;
    for (const auto& server : scenario.servers) {
        if (!text.empty()) text.append(", ");
        text.append(server.name);
    }
    return text.empty() ? "none" : text;
}

bool same_tls(const TlsSpec& a, const TlsSpec& b) {
    return a.enabled == b.enabled && a.cert == b.cert && a.key == b.key && a.password_file == b.password_file &&
           a.client_ca == b.client_ca;
}

}  // namespace

std::vector<std::string> reload_refusals(const Scenario& running, const Scenario& next) {
    const std::string restart = ": restart mockserve to change it (a reload replaces routes, expectations and responses)";
    std::vector<std::string> refusals;
    bool same_servers = running.servers.size() == next.servers.size();
    for (std::size_t i = 0; same_servers && i < running.servers.size(); ++i)
        same_servers = running.servers[i].name == next.servers[i].name;
    if (!same_servers) {
        refusals.push_back("the servers changed (running: " + names(running) + "; in the file: " + names(next) + ")" +
                           restart);
        return refusals;
    }
    for (std::size_t i = 0; i < running.servers.size(); ++i) {
        const auto& a = running.servers[i];
        const auto& b = next.servers[i];
        std::string what;
        const auto changed = [&](bool differs, const char* key) {
            if (!differs) return;
            if (!what.empty()) what.append(", ");
            what.append(key);
        };
        changed(a.bind != b.bind, "bind");
        changed(a.port != b.port, "port");
        changed(a.protocol != b.protocol, "protocol");
        changed(!same_tls(a.tls, b.tls), "tls");
        changed(!(a.limits == b.limits), "its limits (threads, max_body_size, timeouts)");
        changed(a.cgi_user != b.cgi_user, "cgi_user");
        if (!what.empty()) refusals.push_back("server " + a.name + ": " + what + " changed" + restart);
    }
    if (running.journal.enabled != next.journal.enabled ||
        running.journal.max_body_bytes != next.journal.max_body_bytes ||
        running.journal.max_total_bytes != next.journal.max_total_bytes)
        refusals.push_back("the journal's settings changed" + restart);
    if (running.authority.cert != next.authority.cert || running.authority.key != next.authority.key)
        refusals.push_back("the run's authority (tls.ca_cert, tls.ca_key) changed" + restart);
    if (running.control != next.control || running.control_bind != next.control_bind)
        refusals.push_back("control or control_bind changed" + restart);
    return refusals;
}

}  // namespace mockserve::scenario::detail
