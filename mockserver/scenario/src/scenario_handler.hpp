#pragma once
// ScenarioHandler: answers a scenario server's requests from its routes.
//
// It finds the first route that matches (and that its `times` and its state
// machine let answer, under ScenarioState's lock when the server has such
// routes) and hands the request to the route's kind: a canned response is written here; a static or cgi route is
// served by a SimpleHTTPRequestHandler or CGIHTTPRequestHandler made for
// that route's folder and prefix (file_routes.hpp), through
// delegate_request(). What the journal needs of the request (its sequence
// number, the route, why nothing matched) is attached to the exchange
// record; the journal is fed from those records (exchange_journal.hpp), not
// from here.

#include "proxy_route.hpp"
#include "request_matcher.hpp"
#include "response_template.hpp"
#include "scenario_state.hpp"

#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/recorded_request.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

// What a canned response's headers say about how it is sent, found once per
// route rather than per request.
struct ResponseShape {
    bool chunked = false;     // Transfer-Encoding: chunked (the server frames the chunks)
    bool has_length = false;  // a Content-Length is given
    bool has_type = false;    // a Content-Type is given
    bool has_server = false;  // a Server is given: it replaces mockserve's (a recorded one, "nginx")
    bool has_date = false;    // a Date is given: it replaces the current one
    static ResponseShape of(const CannedResponse& response);
};

// Which route answers a request, and what choosing it did.
struct RouteChoice {
    std::optional<std::size_t> index;  // none: no route matched
    std::string explanation;           // then: the closest routes and why they did not match
    StateTrace trace;                  // the states the request saw and left
};

// What the handlers of one server share; it outlives them.
class ProxyResources;

struct ServerContext {
    // `proxies`: where proxy routes get their upstream pools and recordings
    // (null: a scenario without proxy routes).
    ServerContext(const ServerSpec& server, std::size_t index, Journal& journal, ScenarioState& state,
                  ProxyResources* proxies);
    // The first route that matches and may answer now; with stateful routes,
    // choosing, counting and moving the machine are one step under the
    // state's lock, so racing requests see each other's effects.
    RouteChoice choose(const RequestFacts& request) const;

    const ServerSpec& spec;
    const std::size_t index;  // the server's place in the scenario, for ScenarioState
    RouteTable routes;
    Journal& journal;
    ScenarioState& state;
    // What a canned route needs for each request, prepared once at start.
    struct CannedPlan {
        ResponseShape shape;
        std::optional<ResponseTemplates> templates;    // response.template = on, compiled
        std::shared_ptr<const http::PacedBody> paced;  // chunks or events whose text never changes
        // Its header fields (with the Content-Length or event-stream fields
        // the server adds), checked and rendered once; none for a template.
        std::optional<http::BaseHTTPRequestHandler::HeaderBlock> fields;
    };
    std::vector<CannedPlan> plans;  // by route index (empty plans for the other kinds)
    std::vector<std::unique_ptr<ProxyRoute>> proxies;  // by route index (null for the other kinds)
    // A proxy route may stream request bodies: the server has one, and no
    // route's conditions look at bodies (RouteTable::reads_body()).
    bool streams_bodies = false;
};

// The Server header of every scenario server: "mockserve/VERSION".
std::string scenario_server_software();

class LiveRouting;
class Routing;

class ScenarioHandler : public http::BaseHTTPRequestHandler {
public:
    // Serves server number `server` of the routing `live` publishes.
    ScenarioHandler(const LiveRouting& live, std::size_t server);

    bool parse_request() override;
    void handle_one_request() override;
    std::string version_string() const override;
    // Not even formatted when the server does not log (ci/bench, --quiet).
    using BaseHTTPRequestHandler::log_request;
    void log_request(std::string_view code, std::string_view size) override;

private:
    // `request`: what a template reads, for a route with response.template
    // = on. `fields`: the header fields rendered when the scenario loaded.
    void answer(std::size_t route, const CannedResponse& response, const ResponseShape& shape,
                const TemplateRequest* request, const HeaderBlock* fields);
    void answer_no_route(const std::string& explanation);
    // A proxy route: `body` is what was read of the body, `whole` whether that is all of it.
    void forward(std::size_t route, std::string body, bool whole);
    // The handler of a static or cgi route, made on its first request.
    http::BaseHTTPRequestHandler& files_for(std::size_t route_index);

    // The routing this handler answers with, taken anew when it changed.
    void follow_routing();
    // send_response()'s Server and Date fields, rendered once a second.
    const HeaderBlock& server_and_date();

    HeaderBlock server_and_date_;
    std::int64_t server_and_date_second_ = -1;
    const LiveRouting& live_;
    const std::size_t server_;
    std::uint64_t generation_ = 0;
    std::shared_ptr<const Routing> routing_;
    const ServerContext* context_ = nullptr;
    std::string target_;       // the target as sent, before parse_request() rewrites path
    std::string client_text_;  // "HOST:PORT", for the journal
    // The request as the journal will show it. The exchange record points
    // here (a pointer: no allocation per request); it is read once the
    // response is complete, before the next request begins.
    RecordedRequest record_;
    std::vector<std::unique_ptr<http::BaseHTTPRequestHandler>> file_handlers_;  // by route index
};

}  // namespace mockserve::scenario::detail
