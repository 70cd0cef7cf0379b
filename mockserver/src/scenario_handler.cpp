#include "scenario_handler.hpp"

#include <mockserve/version.hpp>

namespace mockserve::scenario::detail {

namespace {

// The target as the client sent it, from the request line ("//x" and all).
std::string raw_target(const std::string& requestline) {
    const auto first = requestline.find(' ');
    const auto last = requestline.rfind(' ');
    if (first == std::string::npos || last <= first) return {};
    return requestline.substr(first + 1, last - first - 1);
}

}  // namespace

ScenarioHandler::ScenarioHandler(const ServerContext& context) : context_(context) {
    protocol_version = context.spec.protocol;
}

std::string ScenarioHandler::version_string() const { return std::string("mockserve/") + mockserve::version; }

void ScenarioHandler::handle_one_request() {
    started_ = std::chrono::steady_clock::now();
    const bool journal_on = context_.journal.enabled();
    const std::uint64_t sequence = journal_on ? context_.journal.next_sequence() : 0;
    const auto received = journal_on ? std::chrono::system_clock::now() : std::chrono::system_clock::time_point{};
    auto target = raw_target(requestline);
    auto [path, query] = split_target(target);
    std::string body = rfile.read();

    RequestFacts facts;
    facts.method = command;
    facts.path = path;
    facts.query = &query;
    facts.headers = &headers.fields();
    facts.body = body;
    // The journal's entry, built only when there is a journal to keep it.
    auto record = [&](std::optional<std::string> route, std::string explanation) {
        RecordedRequest r;
        r.sequence = sequence;
        r.received = received;
        r.server = context_.spec.name;
        r.route = std::move(route);
        r.method = command;
        r.target = std::move(target);
        r.path = std::move(path);
        r.query = std::move(query);
        r.version = request_version;
        r.headers = headers.fields();
        r.client = client_text();
        r.body_size = body.size();
        r.body = std::move(body);
        r.explanation = std::move(explanation);
        return r;
    };

    const auto& routes = context_.spec.routes;
    const auto index = context_.routes.find(facts);
    if (!index) {
        std::string explanation = context_.routes.explain_miss(facts);
        const std::string text = explanation + "\n";
        send_response(404, "No Route Matched");
        send_header("Content-Type", "text/plain; charset=utf-8");
        send_header("Content-Length", std::to_string(text.size()));
        end_headers();
        wfile.write(text);
        if (journal_on) pending_ = record(std::nullopt, std::move(explanation));
        return;
    }
    const Route& route = routes[*index];
    if (const auto* canned = std::get_if<CannedResponse>(&route.action)) {
        answer(*canned);
    } else if (const auto* callback = std::get_if<Callback>(&route.action)) {
        // The callback sees the request as the journal will.
        auto seen = record(route.name, {});
        answer(callback->answer(seen));
        if (journal_on) pending_ = std::move(seen);
        return;
    } else {
        rfile.unread(body);  // the file and CGI handlers read the body themselves
        const bool scripts = std::holds_alternative<CgiScripts>(route.action);
        serve_files(scripts ? std::get<CgiScripts>(route.action).directory : std::get<StaticTree>(route.action).directory,
                    route, scripts);
    }
    if (journal_on) pending_ = record(route.name, {});
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
    if (!has_length && response.status >= 200 && response.status != 204 && response.status != 304)
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

void ScenarioHandler::serve_files(const std::string& folder, const Route& route, bool scripts) {
    directory = folder;
    const auto& path_pattern = route.request.path;
    mount_.clear();
    if (path_pattern && path_pattern->kind == PathPattern::Kind::prefix) {
        mount_ = path_pattern->text;
        while (!mount_.empty() && mount_.back() == '/') mount_.pop_back();
    }
    cgi_directories.clear();
    if (scripts) cgi_directories.push_back(mount_.empty() ? "/" : mount_);
    if (command == "GET") return SimpleHTTPRequestHandler::do_GET();
    if (command == "HEAD") return SimpleHTTPRequestHandler::do_HEAD();
    if (command == "POST" && scripts) return do_POST();
    send_error(501, "Unsupported method (" + std::string("'") + command + "')");
}

std::string ScenarioHandler::translate_path(std::string_view request_path) const {
    if (!mount_.empty() && request_path.substr(0, mount_.size()) == mount_ &&
        (request_path.size() == mount_.size() || request_path[mount_.size()] == '/' || request_path[mount_.size()] == '?'))
        request_path.remove_prefix(mount_.size());
    return CGIHTTPRequestHandler::translate_path(request_path);
}

void ScenarioHandler::send_error(int code, std::optional<std::string> message, std::optional<std::string> explain) {
    if (!pending_) last_error_ = message.value_or(std::to_string(code));
    CGIHTTPRequestHandler::send_error(code, std::move(message), std::move(explain));
}

void ScenarioHandler::on_response_sent(int status, std::uint64_t bytes_sent) {
    if (!context_.journal.enabled()) {
        last_error_.clear();
        return;
    }
    if (!pending_) {
        // Refused before any handler ran (bad syntax, a limit): what is known.
        auto& record = pending_.emplace();
        record.sequence = context_.journal.next_sequence();
        record.received = std::chrono::system_clock::now();
        record.server = context_.spec.name;
        const auto first = requestline.find(' ');
        record.method = requestline.substr(0, first);
        record.target = raw_target(requestline);
        record.version = request_version;
        record.headers = headers.fields();
        record.client = client_text();
        record.path = split_target(record.target).first;
        record.explanation = "refused: " + (last_error_.empty() ? std::string("bad request") : last_error_);
    } else {
        pending_->duration =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
    }
    pending_->status = status;
    pending_->bytes_sent = bytes_sent;
    last_error_.clear();
    context_.journal.record(std::move(*pending_));
    pending_.reset();
}

const std::string& ScenarioHandler::client_text() {
    // One client per connection (and per handler): formatted once.
    if (client_text_.empty()) client_text_ = client_address.host + ":" + std::to_string(client_address.port);
    return client_text_;
}

}  // namespace mockserve::scenario::detail
