#include "scenario_writer.hpp"

#include <sstream>

namespace mockserve::scenario::detail {

namespace {

std::string duration(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; }

// Whether the INI reader gives `value` back as it is.
bool fits_a_line(const std::string& value) {
    if (value.find_first_of("\r\n") != std::string::npos) return false;
    if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t'))
        return false;
    for (std::size_t i = 1; i < value.size(); ++i)
        if (value[i] == '#' && (value[i - 1] == ' ' || value[i - 1] == '\t') &&
            (i + 1 == value.size() || value[i + 1] == ' ' || value[i + 1] == '\t'))
            return false;
    return true;
}

class Writer {
public:
    std::string text() const { return out_.str(); }

    void key(const std::string& name, const std::string& value) {
        if (fits_a_line(value)) {
            out_ << name << " = " << value << "\n";
        } else {
            out_ << "# " << name << ": " << value.size()
                 << " bytes that one line of INI cannot hold (a line break, white space at an end, or \" # \")\n";
        }
    }

    void conditions(const RequestPattern& request) {
        std::string line;
        for (std::size_t i = 0; i < request.methods.size(); ++i) {
            if (i) line.push_back('|');
            line.append(request.methods[i]);
        }
        if (request.path) {
            if (!line.empty()) line.push_back(' ');
            line.append(request.path->to_string());
        }
        if (request.path) key("request", line);
        for (const auto& [name, value] : request.query) key("request.query", name + "=" + value);
        for (const auto& [name, value] : request.headers) key("request.header", name + ": " + value.value_or("*"));
        if (request.body) key("request.body", *request.body);
        if (request.body_contains) key("request.body_contains", *request.body_contains);
        if (request.body_regex_text) key("request.body_regex", *request.body_regex_text);
        if (request.json) key("request.json", *request.json);
    }

    void response(const CannedResponse& r) {
        key("response", std::to_string(r.status));
        if (!r.reason.empty()) key("response.reason", r.reason);
        for (const auto& [name, value] : r.headers) key("response.header", name + ": " + value);
        if (r.template_on) key("response.template", "on");
        if (!r.body_file.empty()) {
            key("response.body_file", r.body_file);
        } else if (!r.body.empty()) {
            key("response.body", r.body);
        }
        if (r.delay.count() || r.delay_max.count()) {
            auto delay = duration(r.delay);
            if (r.delay_max > r.delay) delay.append("..").append(duration(r.delay_max));
            key("response.delay", delay);
        }
        if (r.fault != CannedResponse::Fault::none) {
            std::string fault = r.fault == CannedResponse::Fault::reset ? "reset"
                                : r.fault == CannedResponse::Fault::close ? "close"
                                                                          : "truncate";
            if (r.fault_probability < 1.0) {
                std::ostringstream percent;
                percent << r.fault_probability * 100;
                fault.append(" ").append(percent.str()).append("%");
            }
            key("response.fault", fault);
        }
        if (r.chunk_size) key("response.chunk_size", std::to_string(r.chunk_size));
        if (r.chunk_delay.count()) key("response.chunk_delay", duration(r.chunk_delay));
        for (const auto& event : r.events) {
            std::string escaped;
            for (const char c : event) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
            key("response.event", escaped);
        }
        if (r.event_delay.count()) key("response.event_delay", duration(r.event_delay));
        if (r.event_repeat) key("response.event_repeat", "on");
    }

    void scenario(const Scenario& s) {
        const JournalLimits journal;
        out_ << "[scenario]\n";
        if (!s.name.empty()) key("name", s.name);
        if (!s.journal.enabled) key("journal", "off");
        if (s.journal.max_total_bytes != journal.max_total_bytes)
            key("journal_max_bytes", std::to_string(s.journal.max_total_bytes));
        if (s.journal.max_body_bytes != journal.max_body_bytes)
            key("journal_max_body_bytes", std::to_string(s.journal.max_body_bytes));
        if (s.unmatched == Unmatched::fail) key("unmatched", "fail");
        if (s.seed) key("seed", std::to_string(*s.seed));
        if (s.control) key("control", std::to_string(*s.control));
        if (!s.control_bind.empty()) key("control_bind", s.control_bind);
        if (!s.authority.cert.empty()) key("tls.ca_cert", s.authority.cert);
        if (!s.authority.key.empty()) key("tls.ca_key", s.authority.key);
        for (const auto& server : s.servers) this->server(server);
        for (const auto& e : s.expectations) {
            out_ << "\n[expect " << e.server << " " << e.name << "]\n";
            conditions(e.request);
            const char* op = e.count.op == CountRule::Op::exactly ? "" : e.count.op == CountRule::Op::at_least ? ">=" : "<=";
            key("count", op + std::to_string(e.count.n));
            if (!e.after.empty()) key("after", e.after);
        }
    }

private:
    void server(const ServerSpec& server) {
        const ServerSpec defaults;
        out_ << "\n[server " << server.name << "]\n";
        if (server.bind != defaults.bind) key("bind", server.bind);
        if (server.port) key("port", std::to_string(server.port));
        if (server.protocol != defaults.protocol) key("protocol", server.protocol);
        const auto& l = server.limits;
        const auto& d = defaults.limits;
        if (l.threads != d.threads) key("threads", std::to_string(l.threads));
        if (l.max_body_size != d.max_body_size) key("max_body_size", std::to_string(l.max_body_size));
        if (l.request_timeout != d.request_timeout) key("request_timeout", duration(l.request_timeout));
        if (l.keep_alive_timeout != d.keep_alive_timeout) key("keep_alive_timeout", duration(l.keep_alive_timeout));
        if (l.io_timeout != d.io_timeout) key("io_timeout", duration(l.io_timeout));
        if (l.cgi_timeout != d.cgi_timeout) key("cgi_timeout", duration(l.cgi_timeout));
        if (!server.cgi_user.empty()) key("cgi_user", server.cgi_user);
        if (server.http2) key("http2", "on");
        if (l.max_concurrent_streams != d.max_concurrent_streams)
            key("max_concurrent_streams", std::to_string(l.max_concurrent_streams));
        if (l.max_requests_per_connection != d.max_requests_per_connection)
            key("max_requests_per_connection", std::to_string(l.max_requests_per_connection));
        if (server.tls.enabled) key("tls", "on");
        if (!server.tls.cert.empty()) key("tls.cert", server.tls.cert);
        if (!server.tls.key.empty()) key("tls.key", server.tls.key);
        if (!server.tls.password_file.empty()) key("tls.password_file", server.tls.password_file);
        if (!server.tls.client_ca.empty()) key("tls.client_ca", server.tls.client_ca);
        for (const auto& route : server.routes) this->route(server.name, route);
    }

public:
    void route(const std::string& server, const Route& route) {
        out_ << "\n[route " << server << " " << route.name << "]\n";
        conditions(route.request);
        if (route.times) key("times", std::to_string(*route.times));
        if (route.state) key("state", route.state->to_string());
        if (route.next_state) key("next_state", route.next_state->to_string());
        if (const auto* canned = std::get_if<CannedResponse>(&route.action)) {
            response(*canned);
        } else if (const auto* tree = std::get_if<StaticTree>(&route.action)) {
            key("static", tree->directory);
        } else if (const auto* scripts = std::get_if<CgiScripts>(&route.action)) {
            key("cgi", scripts->directory);
        } else if (const auto* proxy = std::get_if<Proxy>(&route.action)) {
            this->proxy(*proxy);
        } else {
            out_ << "# answered by a callback (code), which INI cannot hold\n";
        }
    }

private:
    void proxy(const Proxy& p) {
        const Proxy defaults;
        key("proxy", p.url);
        if (!p.strip_prefix.empty()) key("proxy.strip_prefix", p.strip_prefix);
        for (const auto& [name, value] : p.headers) key("proxy.header", name + ": " + value);
        if (!p.ca_file.empty()) key("proxy.ca_file", p.ca_file);
        if (p.insecure) key("proxy.insecure", "on");
        if (p.timeout != defaults.timeout) key("proxy.timeout", duration(p.timeout));
        if (!p.record.empty()) key("proxy.record", p.record);
    }

    std::ostringstream out_;
};

}  // namespace

std::string write_ini(const Scenario& scenario) {
    Writer writer;
    writer.scenario(scenario);
    return writer.text();
}

std::string write_route_ini(const std::string& server, const Route& route) {
    Writer writer;
    writer.route(server, route);
    return writer.text();
}

}  // namespace mockserve::scenario::detail
