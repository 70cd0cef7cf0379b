#include "control_server.hpp"

#include "journal_query.hpp"
#include "request_matcher.hpp"

#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/connection_error.hpp>
#include <mockserve/scenario/scenario_runner.hpp>
#include <mockserve/version.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <random>
#include <set>

namespace mockserve::scenario::detail {

namespace {

std::string json_array(const std::vector<RecordedRequest>& requests) {
    std::string out = "[";
    for (const auto& r : requests) out.append(out.size() > 1 ? "," : "").append(Journal::to_json(r));
    return out + "]";
}

std::string error_json(const std::string& error) { return boost::json::serialize(boost::json::object{{"error", error}}); }

std::string errors_json(const std::vector<std::string>& errors) {
    boost::json::array list;
    for (const auto& e : errors) list.emplace_back(e);
    return boost::json::serialize(boost::json::object{{"errors", std::move(list)}});
}

std::string expectations_json(const VerificationReport& report) {
    boost::json::array out;
    for (const auto& r : report.results) {
        const auto& e = r.expectation;
        boost::json::array closest, matched;
        for (const auto& [request, why] : r.closest) {
            boost::json::array reasons;
            for (const auto& reason : why) reasons.emplace_back(reason);
            closest.push_back(boost::json::object{{"request", boost::json::parse(Journal::to_json(request))},
                                                  {"mismatches", std::move(reasons)}});
        }
        for (const auto& request : r.matched) matched.push_back(boost::json::parse(Journal::to_json(request)));
        boost::json::object o{{"server", e.server},
                              {"name", e.name},
                              {"expected", e.count.to_string()},
                              {"count", r.count},
                              {"passed", r.passed},
                              {"report", r.to_string()},
                              {"closest", std::move(closest)},
                              {"matched", std::move(matched)}};
        o["after"] = e.after.empty() ? boost::json::value(nullptr) : boost::json::value(e.after);
        o["order_violation"] = r.order_violation.empty() ? boost::json::value(nullptr) : boost::json::value(r.order_violation);
        o["line"] = e.line;
        out.push_back(std::move(o));
    }
    return boost::json::serialize(out);
}

std::string make_token() {
    std::random_device device;
    std::string token;
    static const char* hex = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) token.push_back(hex[device() & 15]);
    return token;
}

class ControlHandler final : public http::BaseHTTPRequestHandler {
public:
    explicit ControlHandler(ControlServer& control) : control_(control), runner_(control.runner()) {
        protocol_version = "HTTP/1.1";
    }
    std::string version_string() const override { return std::string("mockserve-control/") + mockserve::version; }

    void handle_one_request() override {
        auto [route, query] = split_target(path);
        std::optional<std::string_view> token;
        for (const auto& [name, value] : query)
            if (name == "token") token = value;
        if (const auto refusal = control_.guard().refusal(command, headers, token)) return reply(403, error_json(*refusal));
        query_ = std::move(query);
        try {
            dispatch(route);
        } catch (const http::ConnectionError&) {
            throw;  // the client left: nothing to answer
        } catch (const std::exception& e) {
            reply(500, error_json(e.what()));
        }
    }

private:
    void dispatch(const std::string& route) {
        const bool get = command == "GET" || command == "HEAD";
        if (route == "/") return get ? reply(200, kControlPage, "text/html; charset=utf-8") : not_allowed("GET");
        if (route == "/requests") {
            if (get) return requests();
            if (command == "DELETE") {
                const auto cleared = runner_.journal().size();
                runner_.journal().clear();
                return reply(200, boost::json::serialize(boost::json::object{{"cleared", cleared}}));
            }
            return not_allowed("GET, DELETE");
        }
        if (route == "/expectations") return get ? reply(200, expectations_json(runner_.verify())) : not_allowed("GET");
        if (route == "/report") return get ? reply(200, runner_.verify().to_string(), "text/plain; charset=utf-8") : not_allowed("GET");
        if (route == "/scenario") return get ? reply(200, runner_.scenario_text(), "text/plain; charset=utf-8") : not_allowed("GET");
        if (route == "/servers") return get ? servers() : not_allowed("GET");
        if (route == "/events") return get ? events() : not_allowed("GET");
        if (route == "/reset") {
            if (command != "POST") return not_allowed("POST");
            runner_.reset();
            return reply(200, R"({"reset":true})");
        }
        if (route == "/reload") {
            if (command != "POST") return not_allowed("POST");
            const auto errors = runner_.reload();
            return errors.empty() ? reply(200, R"({"reloaded":true})") : reply(400, errors_json(errors));
        }
        if (route == "/routes") {
            if (command != "POST") return not_allowed("POST");
            const auto text = rfile.read();
            const auto errors = runner_.add_routes(text, "request body");
            if (!errors.empty()) return reply(400, errors_json(errors));
            return reply(201, R"({"added":true})");
        }
        const std::string prefix = "/routes/";
        if (route.rfind(prefix, 0) == 0) {
            if (command != "DELETE") return not_allowed("DELETE");
            const auto rest = route.substr(prefix.size());
            const auto slash = rest.find('/');
            if (slash == std::string::npos)
                return reply(404, error_json("DELETE /routes/SERVER/NAME names a server and a route"));
            const auto server = rest.substr(0, slash), name = rest.substr(slash + 1);
            if (!runner_.remove_route(server, name))
                return reply(404, error_json("server '" + server + "' has no route '" + name +
                                             "' added at run time (the file's routes change with a reload)"));
            return reply(200, R"({"removed":true})");
        }
        reply(404, error_json("no such endpoint: " + route +
                              " (GET /, /requests, /expectations, /report, /scenario, /servers, /events; "
                              "DELETE /requests, /routes/SERVER/NAME; POST /reset, /reload, /routes)"));
    }

    void requests() {
        std::string error;
        const auto q = JournalQuery::parse(query_, error);
        if (!q) return reply(400, error_json(error));
        auto& journal = runner_.journal();
        if (!q->wait) {
            std::vector<RecordedRequest> selected;
            for (auto& entry : journal.entries_after(q->since))
                if (q->matches(entry)) selected.push_back(std::move(entry));
            return reply(200, json_array(selected));
        }
        // The cursor first: a request recorded while the journal is read is
        // then seen below, never missed.
        auto cursor = journal.cursor();
        for (const auto& entry : journal.entries_after(q->since))
            if (q->matches(entry)) return reply(200, Journal::to_json(entry));
        const auto until = std::chrono::steady_clock::now() + *q->wait;
        std::vector<RecordedRequest> meanwhile;
        while (std::chrono::steady_clock::now() < until) {
            auto fresh = journal.wait_recorded(cursor, until, [this] { return control_.stopping(); });
            if (control_.stopping()) return reply(503, error_json("mockserve is stopping"));
            for (auto& entry : fresh) {
                if (q->matches(entry)) return reply(200, Journal::to_json(entry));
                meanwhile.push_back(std::move(entry));
            }
        }
        reply(408, json_array(meanwhile));
    }

    void servers() {
        boost::json::array out;
        for (const auto& name : runner_.server_names())
            out.push_back(boost::json::object{{"name", name}, {"url", runner_.url(name)}});
        reply(200, boost::json::serialize(out));
    }

    // One event per journal entry as it is recorded: "id: SEQ" and the
    // entry's JSON; since=SEQ (or a reconnecting EventSource's
    // Last-Event-ID) first replays the entries after SEQ.
    void events() {
        std::uint64_t since = 0;
        bool replay = false;
        for (const auto& [name, value] : query_)
            if (name == "since") replay = std::from_chars(value.data(), value.data() + value.size(), since).ec == std::errc();
        if (const auto last = headers.get("Last-Event-ID"))
            replay = std::from_chars(last->data(), last->data() + last->size(), since).ec == std::errc();
        send_response(200);
        send_header("Content-Type", "text/event-stream");
        send_header("Cache-Control", "no-cache");
        end_headers();
        if (command == "HEAD") return;
        auto& journal = runner_.journal();
        auto cursor = journal.cursor();
        std::set<std::uint64_t> replayed;  // sent from the snapshot; the cursor may bring them again
        wfile.write("retry: 1000\n\n");
        if (replay)
            for (const auto& entry : journal.entries_after(since)) {
                send_event(entry);
                replayed.insert(entry.sequence);
            }
        wfile.flush();
        constexpr auto kHeartbeat = std::chrono::seconds(15);  // a comment, so that a gone client is noticed
        while (!control_.stopping()) {
            const auto fresh = journal.wait_recorded(cursor, std::chrono::steady_clock::now() + kHeartbeat,
                                                     [this] { return control_.stopping(); });
            if (control_.stopping()) break;
            if (fresh.empty()) wfile.write(": still here\n\n");
            for (const auto& entry : fresh)
                if (!replayed.count(entry.sequence)) send_event(entry);
            wfile.flush();
        }
        close_connection = true;
    }

    void send_event(const RecordedRequest& entry) {
        std::string event = "id: ";
        event.append(std::to_string(entry.sequence)).append("\ndata: ").append(Journal::to_json(entry)).append("\n\n");
        wfile.write(event);
    }

    void not_allowed(const std::string& allowed) {
        reply(405, error_json(command + " is not answered here (" + allowed + " is)"), "application/json", allowed);
    }

    void reply(int status, std::string_view body, std::string_view type = "application/json",
               std::string_view allow = {}) {
        send_response(status);
        send_header("Content-Type", type);
        send_header("Cache-Control", "no-store");
        send_header("X-Content-Type-Options", "nosniff");
        if (!allow.empty()) send_header("Allow", allow);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        if (command != "HEAD") wfile.write(body);
    }

    ControlServer& control_;
    ScenarioRunner& runner_;
    std::vector<std::pair<std::string, std::string>> query_;
};

bool loopback(const std::string& bind) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(bind, ec);
    return !ec && address.is_loopback();
}

}  // namespace

ControlServer::ControlServer(ScenarioRunner& runner, const std::string& bind, std::uint16_t port)
    : runner_(runner) {
    const auto address = bind.empty() ? std::string("127.0.0.1") : bind;
    if (!loopback(address)) guard_.token = make_token();
    http::Limits limits;
    limits.max_body_size = 1024 * 1024;  // route sections, not uploads
    limits.threads = 1;
    server_ = std::make_unique<http::ThreadingHTTPServer>(
        http::Address{address, port}, [this] { return std::make_unique<ControlHandler>(*this); }, limits);
    guard_.port = server_->server_port;
    server_->quiet();
    server_->start();
}

ControlServer::~ControlServer() { stop(); }

std::string ControlServer::url() const { return server_->url(); }

void ControlServer::stop() {
    stopping_.store(true, std::memory_order_release);
    runner_.journal().wake_waiters();
    server_->shutdown();
}

}  // namespace mockserve::scenario::detail
