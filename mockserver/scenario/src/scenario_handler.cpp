#include "scenario_handler.hpp"

#include "file_routes.hpp"
#include "proxy_resources.hpp"
#include "routing.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/scenario/recorded_request.hpp>
#include <mockserve/version.hpp>

#include <chrono>
#include <mutex>
#include <stdexcept>

namespace mockserve::scenario::detail {

std::string scenario_server_software() { return std::string("mockserve/") + mockserve::version; }

namespace {

// One server-sent event: "data: TEXT" per line of TEXT and a blank line; a
// TEXT whose first line is a field of its own (event:, id:, retry:, data:
// or a ':' comment) is sent as written, ended by the blank line.
std::string format_event(std::string_view text) {
    const auto starts = [&](std::string_view field) { return text.substr(0, field.size()) == field; };
    const bool as_written = starts("event:") || starts("id:") || starts("retry:") || starts("data:") || starts(":");
    std::string out;
    while (true) {
        const auto lf = text.find('\n');
        if (!as_written) out.append("data: ");
        out.append(text.substr(0, lf)).push_back('\n');
        if (lf == std::string_view::npos) break;
        text.remove_prefix(lf + 1);
    }
    out.push_back('\n');
    return out;
}

// The pieces of a paced body: the events, or the body cut every `size` bytes.
std::shared_ptr<const http::PacedBody> paced_body(const CannedResponse& response, std::vector<std::string> events,
                                                  const std::string& body) {
    auto paced = std::make_shared<http::PacedBody>();
    if (!response.events.empty()) {
        for (const auto& event : events) paced->pieces.push_back(format_event(event));
        paced->pause = response.event_delay;
        paced->repeat = response.event_repeat;
    } else {
        for (std::size_t at = 0; at < body.size(); at += response.chunk_size)
            paced->pieces.push_back(body.substr(at, response.chunk_size));
        paced->pause = response.chunk_delay;
    }
    return paced;
}

// A proxy route streams a body larger than this (when no route looks at
// bodies); a smaller one is read first, so that a request can be sent again
// when a pooled connection turns out closed.
constexpr std::uint64_t kStreamedBodyAbove = 64 * 1024;

bool paces(const CannedResponse& response) { return !response.events.empty() || response.chunk_size > 0; }

// Calls `field(index, name, value)` for each header field of a response whose
// body is `body`: the route's own, with their index in the route's headers
// (Transfer-Encoding apart when the server frames chunks), then what the
// server adds, without an index (the event-stream fields, or a Content-Length).
template <typename Field>
void for_each_field(const CannedResponse& response, const ResponseShape& shape, std::string_view body,
                    const Field& field) {
    for (std::size_t i = 0; i < response.headers.size(); ++i) {
        const auto& [name, value] = response.headers[i];
        if (shape.chunked && http::iequals(name, "Transfer-Encoding")) continue;  // the server frames the chunks
        field(i, name, value);
    }
    if (!response.events.empty()) {
        if (!shape.has_type) field(std::nullopt, "Content-Type", "text/event-stream");
        field(std::nullopt, "Cache-Control", "no-cache");
    } else if (!shape.has_length && !shape.chunked && http::detail::status_has_body(response.status)) {
        field(std::nullopt, "Content-Length", std::to_string(body.size()));
    }
}

// A route's fields rendered once; none when one of them would not be sent
// (the request then fails as it would have: send_header() says why).
std::optional<http::BaseHTTPRequestHandler::HeaderBlock> rendered_fields(const CannedResponse& response,
                                                                          const ResponseShape& shape) {
    http::BaseHTTPRequestHandler::HeaderBlock block;
    try {
        for_each_field(response, shape, response.body,
                       [&](std::optional<std::size_t>, std::string_view name, std::string_view value) {
                           block.add(name, value);
                       });
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    return block;
}

class StateGate final : public RouteGate {
public:
    StateGate(const ScenarioState& state, std::size_t server) : state_(state), server_(server) {}
    bool open(std::size_t route) const override { return state_.open(server_, route); }
    std::string why_closed(std::size_t route) const override { return state_.why_closed(server_, route); }

private:
    const ScenarioState& state_;
    std::size_t server_;
};

}  // namespace

ResponseShape ResponseShape::of(const CannedResponse& response) {
    ResponseShape shape;
    for (const auto& [name, value] : response.headers) {
        shape.chunked = shape.chunked || http::iequals(name, "Transfer-Encoding");  // only "chunked" loads
        shape.has_length = shape.has_length || http::iequals(name, "Content-Length");
        shape.has_type = shape.has_type || http::iequals(name, "Content-Type");
        shape.has_server = shape.has_server || http::iequals(name, "Server");
        shape.has_date = shape.has_date || http::iequals(name, "Date");
    }
    return shape;
}

ServerContext::ServerContext(const ServerSpec& server, std::size_t index, Journal& journal, ScenarioState& state,
                             ProxyResources* proxy_resources)
    : spec(server), index(index), routes(server.routes), journal(journal), state(state) {
    for (const auto& route : server.routes) {
        auto& plan = plans.emplace_back();
        auto& proxy = proxies.emplace_back();
        if (const auto* forwarding = std::get_if<Proxy>(&route.action)) {
            if (!proxy_resources) throw std::invalid_argument("route " + route.name + ": a proxy route needs a runner");
            proxy = proxy_resources->prepare(server.name, route, *forwarding);
            streams_bodies = !routes.reads_body();
            continue;
        }
        const auto* canned = std::get_if<CannedResponse>(&route.action);
        if (!canned) continue;
        plan.shape = ResponseShape::of(*canned);
        if (canned->template_on) {
            std::string error, key;
            plan.templates = compile_templates(route, *canned, error, key);
            if (!plan.templates) throw std::invalid_argument("route " + route.name + ": " + key + ": " + error);
        } else {
            if (paces(*canned)) plan.paced = paced_body(*canned, canned->events, canned->body);
            plan.fields = rendered_fields(*canned, plan.shape);
        }
    }
}

RouteChoice ServerContext::choose(const RequestFacts& request) const {
    RouteChoice choice;
    if (!state.stateful(index)) {
        choice.index = routes.find(request);
        if (!choice.index) choice.explanation = routes.explain_miss(request);
        return choice;
    }
    const StateGate gate(state, index);
    std::lock_guard<std::mutex> hold(state.lock());
    choice.index = routes.find(request, &gate);
    choice.trace = choice.index ? state.answered(index, *choice.index) : state.untouched(index);
    if (!choice.index) choice.explanation = routes.explain_miss(request, &gate);
    return choice;
}

ScenarioHandler::ScenarioHandler(const LiveRouting& live, std::size_t server) : live_(live), server_(server) {
    follow_routing();
    protocol_version = context_->spec.protocol;  // a reload keeps each server's own settings
}

void ScenarioHandler::follow_routing() {
    const auto generation = live_.generation();
    if (routing_ && generation == generation_) return;
    generation_ = generation;  // read before the routing: a change in between is seen next time
    routing_ = live_.current();
    context_ = &routing_->server(server_);
    file_handlers_.clear();  // made for the routes of the routing before
}

std::string ScenarioHandler::version_string() const { return scenario_server_software(); }

const http::BaseHTTPRequestHandler::HeaderBlock& ScenarioHandler::server_and_date() {
    const auto now = std::chrono::system_clock::now();
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (second != server_and_date_second_) {
        server_and_date_ = {};
        server_and_date_.add("Server", version_string());
        server_and_date_.add("Date", date_time_string(now));
        server_and_date_second_ = second;
    }
    return server_and_date_;
}

void ScenarioHandler::log_request(std::string_view code, std::string_view size) {
    if (server && !server->logging()) return;
    BaseHTTPRequestHandler::log_request(code, size);
}

bool ScenarioHandler::parse_request() {
    // Routes match the path as the client sent it ("//x" is not "/x").
    target_ = path;
    return BaseHTTPRequestHandler::parse_request();
}

void ScenarioHandler::handle_one_request() {
    follow_routing();
    const bool journal_on = context_->journal.enabled();
    RecordedRequest& record = record_;
    // The last entry was moved to the journal; what is not assigned below is reset.
    record.route.reset();
    record.body_truncated = false;
    record.delay = {};
    record.fault.clear();
    record.upstream.reset();
    // Numbered on arrival, so that the journal's order is the order requests
    // came in. The time of arrival is the exchange's (journal_feed), read
    // here only for a callback, which sees the record before it is done.
    if (journal_on) record.sequence = context_->journal.next_sequence();
    auto [decoded_path, query] = split_target(target_);
    // The body is read before a route is chosen unless a proxy route may
    // stream it: a server with one, no route that looks at bodies, and a
    // body that is chunked or large.
    bool body_whole = !context_->streams_bodies || !headers.contains("Transfer-Encoding");
    if (body_whole && context_->streams_bodies) {
        const auto length = http::detail::parse_decimal(headers.get("Content-Length", "0"));
        body_whole = !length || *length <= kStreamedBodyAbove;
    }
    std::string body = body_whole ? rfile.read() : std::string();

    RequestFacts facts;
    facts.method = command;
    facts.path = decoded_path;
    facts.query = &query;
    facts.headers = &headers.fields();
    facts.body = body;
    auto [index, explanation, trace] = context_->choose(facts);

    const Route* route = index ? &context_->spec.routes[*index] : nullptr;
    const bool proxy = route && std::holds_alternative<Proxy>(route->action);
    if (!body_whole && !proxy) {
        body = rfile.read();  // every other kind takes the body whole
        body_whole = true;
    }
    const bool callback = route && std::holds_alternative<Callback>(route->action);
    const bool files = route && (std::holds_alternative<StaticTree>(route->action) ||
                                 std::holds_alternative<CgiScripts>(route->action));
    const auto* plan = index ? &context_->plans[*index] : nullptr;
    const ResponseTemplates* templates = plan && plan->templates ? &*plan->templates : nullptr;
    if (files) rfile.unread(body);  // the file and CGI handlers read the body themselves
    // A template reads the request as it came; it is taken before the body moves to the record.
    std::optional<TemplateRequest> template_request;
    std::vector<std::string> groups;
    if (templates) {
        if (templates->reads_match) route->request.path->regex->search(decoded_path, groups);
        auto& t = template_request.emplace();
        t.method = command;
        t.path = decoded_path;
        t.query = &query;
        t.headers = &headers.fields();
        t.body = body;
        t.sequence = journal_on ? record.sequence : context_->journal.next_sequence();
        t.path_groups = &groups;
        t.now = std::chrono::system_clock::now();
        t.random = [this, i = *index] { return context_->state.draw(context_->index, i); };
    }
    if (journal_on || callback) {
        // The request as the journal will show it (and a callback sees it);
        // the exchange record adds the status, the bytes and the time.
        if (client_text_.empty()) client_text_ = client_address.host + ":" + std::to_string(client_address.port);
        if (route) record.route = route->name;
        record.server = context_->spec.name;
        record.method = command;
        record.target = target_;
        record.path = templates ? decoded_path : std::move(decoded_path);
        record.query = templates ? query : std::move(query);
        record.version = request_version;
        record.headers = headers.fields();
        record.client = client_text_;
        if (tls) {
            record.tls = *tls;
        } else {
            record.tls.reset();
        }
        record.body_size = body.size();
        record.body = callback || templates || proxy ? body : std::move(body);
        record.explanation = explanation;
        record.unmatched = !route;
        record.state = std::move(trace.seen);
        record.next_state = std::move(trace.left);
    }
    // Attached before a callback runs, so that one that throws is recorded with its route.
    if (journal_on) annotate_exchange(&record);
    if (callback) {
        record.received = std::chrono::system_clock::now();
        const auto answer_of = std::get<Callback>(route->action).answer(record);
        return answer(*index, answer_of, ResponseShape::of(answer_of), nullptr, nullptr);
    }

    if (!route) return answer_no_route(explanation);
    if (files) return delegate_request(files_for(*index));
    if (proxy) return forward(*index, std::move(body), body_whole);
    answer(*index, std::get<CannedResponse>(route->action), plan->shape, template_request ? &*template_request : nullptr,
           plan->fields ? &*plan->fields : nullptr);
}

void ScenarioHandler::answer_no_route(const std::string& explanation) {
    const std::string text = explanation + "\n";
    send_response(404, "No Route Matched");
    send_header("Content-Type", "text/plain; charset=utf-8");
    send_header("Content-Length", std::to_string(text.size()));
    end_headers();
    wfile.write(text);
}

void ScenarioHandler::answer(std::size_t route, const CannedResponse& response, const ResponseShape& shape,
                             const TemplateRequest* request, const HeaderBlock* fields) {
    using Fault = CannedResponse::Fault;
    const auto draw = [&] { return context_->state.draw(context_->index, route); };
    // A fault with a probability strikes when the route's next number falls under it.
    auto fault = response.fault;
    if (fault != Fault::none && response.fault_probability < 1.0 &&
        static_cast<double>(draw() >> 11) * 0x1.0p-53 >= response.fault_probability)
        fault = Fault::none;
    auto delay = response.delay;
    if (response.delay_max > response.delay)
        delay += std::chrono::milliseconds(draw() % static_cast<std::uint64_t>((response.delay_max - response.delay).count() + 1));
    // The journal says what was chosen: a replayed run can be compared.
    if (fault != Fault::none) record_.fault = fault == Fault::reset ? "reset" : fault == Fault::close ? "close" : "truncate";
    if (fault == Fault::reset || fault == Fault::close) {
        abort_connection(fault == Fault::reset);
        return;
    }

    const auto& plan = context_->plans[route];
    const auto* templates = request ? &*plan.templates : nullptr;
    auto reason = response.reason.empty() ? std::nullopt : std::optional<std::string>(response.reason);
    if (shape.has_server || shape.has_date) {
        // send_response() without the fields the route gives itself.
        log_request(response.status);
        send_response_only(response.status, std::move(reason));
        if (!shape.has_server) send_header("Server", version_string());
        if (!shape.has_date) send_header("Date", date_time_string());
    } else {
        // send_response(), with its two fields rendered once a second.
        log_request(response.status);
        send_response_only(response.status, std::move(reason));
        send_headers(server_and_date());
    }
    std::string rendered;
    if (templates && response.events.empty()) {
        templates->body.render(*request, templates->json_body ? ResponseTemplate::Escape::json : ResponseTemplate::Escape::none,
                               rendered);
    }
    const std::string& body = templates ? rendered : response.body;
    if (fields) {
        send_headers(*fields);
    } else {
        std::string value;
        for_each_field(response, shape, body, [&](std::optional<std::size_t> i, std::string_view name, std::string_view given) {
            if (templates && i) {
                value.clear();
                templates->headers[*i].render(*request, ResponseTemplate::Escape::header, value);
                send_header(name, value);
            } else {
                send_header(name, given);
            }
        });
    }
    end_headers();
    if (fault == Fault::truncate) {
        // The head and half the body, then the connection goes.
        wfile.write(std::string_view(body).substr(0, body.size() / 2));
        wfile.flush();
        abort_connection(false);
        return;
    }
    if (delay.count() > 0) {
        record_.delay = delay;
        delay_response(delay);
    }
    if (paces(response)) {
        if (!templates && plan.paced) return pace_response(plan.paced);
        // Made for this request: a template's, or a callback's answer.
        std::vector<std::string> events;
        if (templates) {
            for (const auto& event : templates->events) event.render(*request, ResponseTemplate::Escape::none, events.emplace_back());
        } else {
            events = response.events;
        }
        return pace_response(paced_body(response, std::move(events), body));
    }
    wfile.write(body);
    if (shape.chunked) wfile.flush();  // a flushed head without a length is sent chunked
}

http::BaseHTTPRequestHandler& ScenarioHandler::files_for(std::size_t route_index) {
    if (file_handlers_.size() <= route_index) file_handlers_.resize(context_->spec.routes.size());
    auto& handler = file_handlers_[route_index];
    if (handler) return *handler;
    const Route& route = context_->spec.routes[route_index];
    std::string mount;
    if (route.request.path && route.request.path->kind == PathPattern::Kind::prefix) {
        mount = route.request.path->text;
        while (!mount.empty() && mount.back() == '/') mount.pop_back();
    }
    if (const auto* scripts = std::get_if<CgiScripts>(&route.action)) {
        auto cgi = std::make_unique<CgiRoute>(scripts->directory, std::move(mount));
        cgi->cgi_user = context_->spec.cgi_user;
        handler = std::move(cgi);
    } else {
        handler = std::make_unique<StaticRoute>(std::get<StaticTree>(route.action).directory, std::move(mount));
    }
    return *handler;
}

void ScenarioHandler::forward(std::size_t route, std::string body, bool whole) {
    const auto& proxy = *context_->proxies[route];
    ProxiedRequest request;
    request.route = context_->spec.routes[route].name;
    request.target = target_;
    request.body_read = std::move(body);
    request.body_whole = whole;
    request.client_tls = tls != nullptr;
    RecordedRequest scratch;  // the journal is off: the facts go nowhere
    auto& journal = context_->journal.enabled() ? record_ : scratch;
    proxy.serve(*this, std::move(request), journal, context_->journal.limits().max_body_bytes,
                [this] { abort_connection(false); });
}

}  // namespace mockserve::scenario::detail
