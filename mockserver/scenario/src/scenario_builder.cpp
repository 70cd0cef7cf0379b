#include <mockserve/scenario/scenario_builder.hpp>

#include "scenario_syntax.hpp"
#include "scenario_validation.hpp"
#include "upstream_url.hpp"

#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/detail/text.hpp>

#include <algorithm>
#include <stdexcept>

namespace mockserve::scenario {

template <class Self>
Self& RequestConditions<Self>::request(const std::string& text) {
    if (const auto error = detail::parse_request_line(text, *pattern_); !error.empty())
        errors_->push_back(where_ + ": " + error);
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_query(const std::string& name, const std::string& value) {
    pattern_->query.emplace_back(name, value);
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_header(const std::string& name, const std::string& value) {
    if (!http::detail::is_token(name)) errors_->push_back(where_ + ": request.header name '" + name + "' is not a token");
    pattern_->headers.emplace_back(name, value == "*" ? std::nullopt : std::optional<std::string>(value));
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_body(const std::string& body) {
    pattern_->body = body;
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_body_contains(const std::string& text) {
    pattern_->body_contains = text;
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_body_regex(const std::string& expression) {
    if (const auto error = detail::set_body_regex(expression, *pattern_); !error.empty())
        errors_->push_back(where_ + ": " + error);
    return self();
}

template <class Self>
Self& RequestConditions<Self>::request_json(const std::string& json) {
    if (const auto error = detail::set_json(json, *pattern_); !error.empty()) errors_->push_back(where_ + ": " + error);
    return self();
}

template class RequestConditions<RouteBuilder>;
template class RequestConditions<ExpectBuilder>;

RouteBuilder::RouteBuilder(Route& route, std::vector<std::string>& errors, std::string where)
    : RequestConditions(route.request, errors, std::move(where)), route_(&route) {}

CannedResponse& RouteBuilder::canned() {
    if (!canned_) {
        canned_ = true;
        ++actions_;
        route_->action = CannedResponse{};
    }
    return std::get<CannedResponse>(route_->action);
}

RouteBuilder& RouteBuilder::response(int status) {
    if (const auto error = detail::parse_status(std::to_string(status), canned().status); !error.empty())
        errors_->push_back(where_ + ": " + error);
    return *this;
}

RouteBuilder& RouteBuilder::response_reason(const std::string& reason) {
    if (const auto error = detail::check_response_text("response.reason", reason); !error.empty())
        errors_->push_back(where_ + ": " + error);
    canned().reason = reason;
    return *this;
}

RouteBuilder& RouteBuilder::response_header(const std::string& name, const std::string& value) {
    if (!http::detail::is_token(name)) errors_->push_back(where_ + ": response.header name '" + name + "' is not a token");
    if (const auto error = detail::check_response_text("response.header", value); !error.empty())
        errors_->push_back(where_ + ": " + error);
    canned().headers.emplace_back(name, value);
    return *this;
}

RouteBuilder& RouteBuilder::response_body(const std::string& body) {
    canned().body = body;
    return *this;
}

RouteBuilder& RouteBuilder::response_delay(std::chrono::milliseconds delay) {
    canned().delay = delay;
    return *this;
}

RouteBuilder& RouteBuilder::response_delay(std::chrono::milliseconds shortest, std::chrono::milliseconds longest) {
    if (longest < shortest) errors_->push_back(where_ + ": response.delay: the range's end is before its start");
    canned().delay = shortest;
    canned().delay_max = longest;
    return *this;
}

RouteBuilder& RouteBuilder::response_fault(CannedResponse::Fault fault, double probability) {
    if (!(probability >= 0 && probability <= 1))
        errors_->push_back(where_ + ": response.fault: the probability is from 0 to 1, not " + std::to_string(probability));
    canned().fault = fault;
    canned().fault_probability = probability;
    return *this;
}

RouteBuilder& RouteBuilder::response_template(bool on) {
    canned().template_on = on;
    return *this;
}

RouteBuilder& RouteBuilder::response_chunk_size(std::size_t bytes) {
    if (bytes == 0) errors_->push_back(where_ + ": response.chunk_size is at least 1");
    canned().chunk_size = bytes;
    return *this;
}

RouteBuilder& RouteBuilder::response_chunk_delay(std::chrono::milliseconds pause) {
    canned().chunk_delay = pause;
    return *this;
}

RouteBuilder& RouteBuilder::response_event(const std::string& text) {
    canned().events.push_back(text);
    return *this;
}

RouteBuilder& RouteBuilder::response_event_delay(std::chrono::milliseconds pause) {
    canned().event_delay = pause;
    return *this;
}

RouteBuilder& RouteBuilder::response_event_repeat(bool on) {
    canned().event_repeat = on;
    return *this;
}

RouteBuilder& RouteBuilder::times(std::uint64_t n) {
    if (n == 0) errors_->push_back(where_ + ": times is at least 1");
    route_->times = n;
    return *this;
}

RouteBuilder& RouteBuilder::state(const std::string& state) { return set_state("state", state, route_->state); }

RouteBuilder& RouteBuilder::next_state(const std::string& state) {
    return set_state("next_state", state, route_->next_state);
}

RouteBuilder& RouteBuilder::set_state(const char* key, const std::string& text, std::optional<StateRef>& into) {
    if (const auto parsed = StateRef::parse(text)) {
        into = *parsed;
    } else {
        errors_->push_back(where_ + ": " + key + " is STATE or MACHINE:STATE, not '" + text + "'");
    }
    return *this;
}

RouteBuilder& RouteBuilder::serve_static(const std::string& directory) {
    ++actions_;
    route_->action = StaticTree{directory};
    return *this;
}

RouteBuilder& RouteBuilder::serve_cgi(const std::string& directory) {
    ++actions_;
    route_->action = CgiScripts{directory};
    return *this;
}

RouteBuilder& RouteBuilder::proxy(Proxy forwarding) {
    ++actions_;
    std::string error;
    if (!detail::UpstreamUrl::parse(forwarding.url, error)) errors_->push_back(where_ + ": proxy = " + forwarding.url + ": " + error);
    route_->action = std::move(forwarding);
    return *this;
}

RouteBuilder& RouteBuilder::answer_with(std::function<CannedResponse(const RecordedRequest&)> answer) {
    ++actions_;
    route_->action = Callback{std::move(answer)};
    return *this;
}

ExpectBuilder::ExpectBuilder(Expectation& expectation, std::vector<std::string>& errors, std::string where)
    : RequestConditions(expectation.request, errors, std::move(where)), expectation_(&expectation) {}

ExpectBuilder& ExpectBuilder::count(const std::string& rule) {
    if (const auto parsed = detail::parse_count(rule)) {
        expectation_->count = *parsed;
    } else {
        errors_->push_back(where_ + ": count is N, >=N or <=N, not '" + rule + "'");
    }
    return *this;
}

ExpectBuilder& ExpectBuilder::after(const std::string& expectation) {
    if (expectation.empty()) errors_->push_back(where_ + ": after names another expectation");
    expectation_->after = expectation;
    return *this;
}

ServerSpec& ServerBuilder::spec() {
    for (auto& s : owner_->scenario_.servers)
        if (s.name == name_) return s;
    throw std::logic_error("server vanished: " + name_);
}

ServerBuilder& ServerBuilder::bind(const std::string& address) {
    spec().bind = address;
    return *this;
}

ServerBuilder& ServerBuilder::port(std::uint16_t port) {
    spec().port = port;
    return *this;
}

ServerBuilder& ServerBuilder::cgi_user(const std::string& user) {
    if (user.empty() || !http::script_user(user))
        owner_->errors_.push_back("server " + name_ + ": cgi_user '" + user + "' is not a user on this machine");
    spec().cgi_user = user;
    return *this;
}

ServerBuilder& ServerBuilder::protocol(const std::string& version) {
    if (const auto error = detail::check_protocol(version); !error.empty())
        owner_->errors_.push_back("server " + name_ + ": " + error);
    spec().protocol = version;
    return *this;
}

ServerBuilder& ServerBuilder::limits(const http::Limits& limits) {
    spec().limits = limits;
    return *this;
}

ServerBuilder& ServerBuilder::http2(bool on) {
    spec().http2 = on;
    return *this;
}

ServerBuilder& ServerBuilder::tls(bool on) {
    spec().tls.enabled = on;
    return *this;
}

ServerBuilder& ServerBuilder::tls_cert(const std::string& cert, const std::string& key,
                                       const std::string& password_file) {
    auto& tls = spec().tls;
    tls.cert = cert;
    tls.key = key;
    tls.password_file = password_file;
    return *this;
}

ServerBuilder& ServerBuilder::tls_client_ca(const std::string& file_or_generate) {
    spec().tls.client_ca = file_or_generate;
    return *this;
}

RouteBuilder& ServerBuilder::route(const std::string& name) {
    auto& route = owner_->route_storage_.emplace_back();
    route.name = name;
    owner_->route_owner_.emplace_back(name_, &route);
    return owner_->routes_.emplace_back(route, owner_->errors_, "route " + name_ + " " + name);
}

ScenarioBuilder::ScenarioBuilder(std::string name) { scenario_.name = std::move(name); }

ServerBuilder& ScenarioBuilder::server(const std::string& name) {
    for (std::size_t i = 0; i < scenario_.servers.size(); ++i)
        if (scenario_.servers[i].name == name) return servers_[i];
    ServerSpec spec;
    spec.name = name;
    scenario_.servers.push_back(std::move(spec));
    return servers_.emplace_back(*this, name);
}

ScenarioBuilder& ScenarioBuilder::unmatched(Unmatched rule) {
    scenario_.unmatched = rule;
    return *this;
}

ScenarioBuilder& ScenarioBuilder::control(std::uint16_t port, const std::string& bind) {
    scenario_.control = port;
    scenario_.control_bind = bind;
    return *this;
}

ScenarioBuilder& ScenarioBuilder::seed(std::uint64_t seed) {
    scenario_.seed = seed;
    return *this;
}

ScenarioBuilder& ScenarioBuilder::tls_authority(const std::string& cert, const std::string& key) {
    scenario_.authority = {cert, key};
    return *this;
}

ExpectBuilder& ScenarioBuilder::expect(const std::string& server, const std::string& name) {
    auto& expectation = expectation_storage_.emplace_back();
    expectation.server = server;
    expectation.name = name;
    return expectations_.emplace_back(expectation, errors_, "expect " + server + " " + name);
}

Scenario ScenarioBuilder::build() const {
    std::vector<std::string> errors = errors_;
    Scenario scenario = scenario_;
    for (std::size_t i = 0; i < route_owner_.size(); ++i) {
        const auto& [server, route] = route_owner_[i];
        if (routes_[i].actions_ == 0)
            errors.push_back("route " + server + " " + route->name + ": no action (response, static or cgi)");
        if (routes_[i].actions_ > 1) errors.push_back("route " + server + " " + route->name + ": two actions");
        const std::string& owner = server;  // clang 14 cannot capture a structured binding
        auto it = std::find_if(scenario.servers.begin(), scenario.servers.end(),
                               [&](const ServerSpec& s) { return s.name == owner; });
        it->routes.push_back(*route);
    }
    for (const auto& expectation : expectation_storage_) scenario.expectations.push_back(expectation);
    detail::Locator where{
        [](const ServerSpec& server, const Route& route) { return "route " + server.name + " " + route.name; },
        [](const ServerSpec& server, const std::string& key) { return "server " + server.name + " " + key; },
        [](const Expectation& e) { return "expect " + e.server + " " + e.name; }, "journal",
        "scenario " + scenario.name, [](const std::string& key) { return "scenario " + key; },
        [](const ServerSpec& server, const Route& route, const std::string& key) {
            return "route " + server.name + " " + route.name + " " + key;
        }};
    for (auto& error : detail::validate(scenario, where)) errors.push_back(std::move(error));
    if (!errors.empty()) {
        std::string text = "the scenario has mistakes:";
        for (const auto& e : errors) text += "\n  " + e;
        throw std::invalid_argument(text);
    }
    return scenario;
}

}  // namespace mockserve::scenario
