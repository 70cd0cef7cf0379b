#include "scenario_handler.hpp"

#include "file_routes.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/scenario/recorded_request.hpp>
#include <mockserve/version.hpp>

#include <chrono>

namespace mockserve::scenario::detail {

std::string scenario_server_software() { return std::string("mockserve/") + mockserve::version; }

ScenarioHandler::ScenarioHandler(const ServerContext& context) : context_(context) {
    protocol_version = context.spec.protocol;
}

std::string ScenarioHandler::version_string() const { return scenario_server_software(); }

bool ScenarioHandler::parse_request() {
    // Routes match the path as the client sent it ("//x" is not "/x").
    target_ = path;
    return BaseHTTPRequestHandler::parse_request();
}

void ScenarioHandler::handle_one_request() {
    const bool journal_on = context_.journal.enabled();
    RecordedRequest& record = record_;
    // The last entry was moved to the journal; what is not assigned below is reset.
    record.route.reset();
    record.body_truncated = false;
    if (journal_on) {
        // Numbered on arrival, so that the journal's order is the order requests came in.
        record.sequence = context_.journal.next_sequence();
        record.received = std::chrono::system_clock::now();
    }
    auto [decoded_path, query] = split_target(target_);
    std::string body = rfile.read();

    RequestFacts facts;
    facts.method = command;
    facts.path = decoded_path;
    facts.query = &query;
    facts.headers = &headers.fields();
    facts.body = body;
    const auto index = context_.routes.find(facts);
    std::string explanation = index ? std::string() : context_.routes.explain_miss(facts);

    const Route* route = index ? &context_.spec.routes[*index] : nullptr;
    const bool callback = route && std::holds_alternative<Callback>(route->action);
    const bool files = route && (std::holds_alternative<StaticTree>(route->action) ||
                                 std::holds_alternative<CgiScripts>(route->action));
    if (files) rfile.unread(body);  // the file and CGI handlers read the body themselves
    if (journal_on || callback) {
        // The request as the journal will show it (and a callback sees it);
        // the exchange record adds the status, the bytes and the time.
        if (client_text_.empty()) client_text_ = client_address.host + ":" + std::to_string(client_address.port);
        if (route) record.route = route->name;
        record.server = context_.spec.name;
        record.method = command;
        record.target = target_;
        record.path = std::move(decoded_path);
        record.query = std::move(query);
        record.version = request_version;
        record.headers = headers.fields();
        record.client = client_text_;
        if (tls) {
            record.tls = *tls;
        } else {
            record.tls.reset();
        }
        record.body_size = body.size();
        record.body = callback ? body : std::move(body);
        record.explanation = explanation;
    }
    // Attached before a callback runs, so that one that throws is recorded with its route.
    if (journal_on) annotate_exchange(&record);
    if (callback) return answer(std::get<Callback>(route->action).answer(record));

    if (!route) return answer_no_route(explanation);
    if (files) return delegate_request(files_for(*index));
    answer(std::get<CannedResponse>(route->action));
}

void ScenarioHandler::answer_no_route(const std::string& explanation) {
    const std::string text = explanation + "\n";
    send_response(404, "No Route Matched");
    send_header("Content-Type", "text/plain; charset=utf-8");
    send_header("Content-Length", std::to_string(text.size()));
    end_headers();
    wfile.write(text);
}

void ScenarioHandler::answer(const CannedResponse& response) {
    using Fault = CannedResponse::Fault;
    if (response.fault == Fault::reset || response.fault == Fault::close) {
        abort_connection(response.fault == Fault::reset);
        return;
    }
    send_response(response.status, response.reason.empty() ? std::nullopt : std::optional<std::string>(response.reason));
    bool has_length = false;
    for (const auto& [name, value] : response.headers) {
        has_length = has_length || http::iequals(name, "Content-Length");
        send_header(name, value);
    }
    if (!has_length && http::detail::status_has_body(response.status))
        send_header("Content-Length", std::to_string(response.body.size()));
    end_headers();
    if (response.fault == Fault::truncate) {
        // The head and half the body, then the connection goes.
        wfile.write(std::string_view(response.body).substr(0, response.body.size() / 2));
        wfile.flush();
        abort_connection(false);
        return;
    }
    wfile.write(response.body);
    if (response.delay.count() > 0) delay_response(response.delay);
}

http::BaseHTTPRequestHandler& ScenarioHandler::files_for(std::size_t route_index) {
    if (file_handlers_.size() <= route_index) file_handlers_.resize(context_.spec.routes.size());
    auto& handler = file_handlers_[route_index];
    if (handler) return *handler;
    const Route& route = context_.spec.routes[route_index];
    std::string mount;
    if (route.request.path && route.request.path->kind == PathPattern::Kind::prefix) {
        mount = route.request.path->text;
        while (!mount.empty() && mount.back() == '/') mount.pop_back();
    }
    if (const auto* scripts = std::get_if<CgiScripts>(&route.action)) {
        auto cgi = std::make_unique<CgiRoute>(scripts->directory, std::move(mount));
        cgi->cgi_user = context_.spec.cgi_user;
        handler = std::move(cgi);
    } else {
        handler = std::make_unique<StaticRoute>(std::get<StaticTree>(route.action).directory, std::move(mount));
    }
    return *handler;
}

}  // namespace mockserve::scenario::detail
