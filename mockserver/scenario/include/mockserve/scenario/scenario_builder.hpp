#pragma once
// ScenarioBuilder: a scenario in code, with the file's words. Each method is
// named after the key it stands for (request.header is request_header(),
// response.body is response_body(), ...).
//
//   ScenarioBuilder b("checkout");
//   b.server("api").route("create-payment")
//       .request("POST /v1/payments")
//       .request_json(R"({"amount": 1200})")
//       .response(201)
//       .response_header("Content-Type", "application/json")
//       .response_body(R"({"id": "pay_123"})");
//   b.expect("api", "one-payment").request("POST /v1/payments").count("1");
//   ScenarioRunner runner(b.build());
//
// build() checks what the loader checks and throws std::invalid_argument
// listing every mistake.

#include <mockserve/scenario/scenario.hpp>

#include <deque>
#include <string>

namespace mockserve::scenario {

class ScenarioBuilder;

// The request.* keys, shared by routes and expectations.
template <class Self>
class RequestConditions {
public:
    Self& request(const std::string& methods_and_path);  // "GET|HEAD /a/*", "/x", "~ ^/a/[0-9]+$"
    Self& request_query(const std::string& name, const std::string& value);
    Self& request_header(const std::string& name, const std::string& value = "*");  // "*": present
    Self& request_body(const std::string& body);
    Self& request_body_contains(const std::string& text);
    Self& request_body_regex(const std::string& expression);
    Self& request_json(const std::string& json);

protected:
    RequestConditions(RequestPattern& pattern, std::vector<std::string>& errors, std::string where)
        : pattern_(&pattern), errors_(&errors), where_(std::move(where)) {}
    RequestPattern* pattern_;
    std::vector<std::string>* errors_;
    std::string where_;

private:
    Self& self() { return static_cast<Self&>(*this); }
};

class RouteBuilder : public RequestConditions<RouteBuilder> {
public:
    RouteBuilder(Route& route, std::vector<std::string>& errors, std::string where);
    RouteBuilder& response(int status);
    RouteBuilder& response_reason(const std::string& reason);
    RouteBuilder& response_header(const std::string& name, const std::string& value);
    RouteBuilder& response_body(const std::string& body);
    RouteBuilder& response_delay(std::chrono::milliseconds delay);
    // response.delay = SHORTEST..LONGEST: drawn uniformly for each request.
    RouteBuilder& response_delay(std::chrono::milliseconds shortest, std::chrono::milliseconds longest);
    // response.fault = reset 10% is response_fault(Fault::reset, 0.10).
    RouteBuilder& response_fault(CannedResponse::Fault fault, double probability = 1.0);
    RouteBuilder& response_template(bool on = true);
    RouteBuilder& response_chunk_size(std::size_t bytes);
    RouteBuilder& response_chunk_delay(std::chrono::milliseconds pause);
    RouteBuilder& response_event(const std::string& text);  // repeatable, in order
    RouteBuilder& response_event_delay(std::chrono::milliseconds pause);
    RouteBuilder& response_event_repeat(bool on = true);
    RouteBuilder& times(std::uint64_t n);
    RouteBuilder& state(const std::string& state);       // "STATE" or "MACHINE:STATE"
    RouteBuilder& next_state(const std::string& state);  // "STATE" or "MACHINE:STATE"
    RouteBuilder& serve_static(const std::string& directory);
    RouteBuilder& serve_cgi(const std::string& directory);
    // Forwards to an upstream: `proxy = URL`, Proxy's fields being its
    // proxy.* keys (scenarios/README.md, "Proxy routes and recording").
    RouteBuilder& proxy(Proxy forwarding);
    // The answer comes from `answer`, called for each request (see Callback).
    RouteBuilder& answer_with(std::function<CannedResponse(const RecordedRequest&)> answer);

private:
    friend class ScenarioBuilder;
    CannedResponse& canned();
    RouteBuilder& set_state(const char* key, const std::string& text, std::optional<StateRef>& into);
    Route* route_;
    int actions_ = 0;
    bool canned_ = false;
};

class ExpectBuilder : public RequestConditions<ExpectBuilder> {
public:
    ExpectBuilder(Expectation& expectation, std::vector<std::string>& errors, std::string where);
    ExpectBuilder& count(const std::string& rule);  // "N", ">=N", "<=N"
    // after = NAME or SERVER/NAME: this expectation's requests all came after
    // the first request of that one.
    ExpectBuilder& after(const std::string& expectation);

private:
    Expectation* expectation_;
};

class ServerBuilder {
public:
    ServerBuilder(ScenarioBuilder& owner, std::string name) : owner_(&owner), name_(std::move(name)) {}
    ServerBuilder& bind(const std::string& address);
    ServerBuilder& port(std::uint16_t port);
    ServerBuilder& protocol(const std::string& version);
    // Who runs the server's CGI scripts: a user name, or "current".
    ServerBuilder& cgi_user(const std::string& user);
    ServerBuilder& limits(const http::Limits& limits);
    // tls = on: HTTPS, with a certificate the runner makes (signed by the
    // run's authority) unless tls_cert() gives one.
    // HTTP/2 beside HTTP/1.1 (the scenario key `http2 = on`).
    ServerBuilder& http2(bool on = true);
    ServerBuilder& tls(bool on = true);
    // tls.cert, tls.key, tls.password_file: PEM files.
    ServerBuilder& tls_cert(const std::string& cert, const std::string& key = {}, const std::string& password_file = {});
    // tls.client_ca: "generate", or a PEM file of authorities.
    ServerBuilder& tls_client_ca(const std::string& file_or_generate);
    RouteBuilder& route(const std::string& name);

private:
    ServerSpec& spec();
    ScenarioBuilder* owner_;
    std::string name_;
};

class ScenarioBuilder {
public:
    explicit ScenarioBuilder(std::string name = {});
    ServerBuilder& server(const std::string& name);
    // tls.ca_cert, tls.ca_key: the run's authority, given instead of made.
    ScenarioBuilder& tls_authority(const std::string& cert, const std::string& key);
    // [scenario] unmatched = fail: a request no route matches fails the run.
    ScenarioBuilder& unmatched(Unmatched rule);
    // [scenario] seed = N: the random choices of the run, reproducible.
    ScenarioBuilder& seed(std::uint64_t seed);
    // [scenario] control = PORT (0: any free one), control_bind = ADDRESS
    // (empty: 127.0.0.1): the run's control API.
    ScenarioBuilder& control(std::uint16_t port, const std::string& bind = {});
    ExpectBuilder& expect(const std::string& server, const std::string& name);
    Scenario build() const;

private:
    friend class ServerBuilder;
    Scenario scenario_;
    std::deque<ServerBuilder> servers_;
    std::deque<RouteBuilder> routes_;
    std::deque<ExpectBuilder> expectations_;
    std::deque<Route> route_storage_;
    std::deque<Expectation> expectation_storage_;
    std::vector<std::pair<std::string, Route*>> route_owner_;  // server name, route
    mutable std::vector<std::string> errors_;
};

}  // namespace mockserve::scenario
