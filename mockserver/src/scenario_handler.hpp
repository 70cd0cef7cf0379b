#pragma once
// ScenarioHandler: answers a scenario server's requests from its routes, and
// records each exchange in the journal once its response has gone out.
//
// A static or cgi route is served by the http.server handlers themselves
// (this class is a CGIHTTPRequestHandler): the route's folder becomes the
// directory, and its prefix is taken off the path before translate_path.

#include "request_matcher.hpp"

#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <chrono>
#include <optional>

namespace mockserve::scenario::detail {

// What the handlers of one server share; it outlives them.
struct ServerContext {
    explicit ServerContext(const ServerSpec& server, Journal& journal)
        : spec(server), routes(server.routes), journal(journal) {}
    const ServerSpec& spec;
    RouteTable routes;
    Journal& journal;
};

class ScenarioHandler : public http::CGIHTTPRequestHandler {
public:
    explicit ScenarioHandler(const ServerContext& context);

    void handle_one_request() override;
    void send_error(int code, std::optional<std::string> message = {}, std::optional<std::string> explain = {}) override;
    std::string translate_path(std::string_view path) const override;
    std::string version_string() const override;

protected:
    void on_response_sent(int status, std::uint64_t bytes_sent) override;

private:
    void answer(const CannedResponse& response);
    void serve_files(const std::string& directory, const Route& route, bool scripts);

    const ServerContext& context_;
    std::optional<RecordedRequest> pending_;
    std::chrono::steady_clock::time_point started_;
    std::string mount_;      // the route's prefix, taken off paths for its folder
    std::string last_error_;  // why the request was refused, for the journal
    std::string client_text_;  // "HOST:PORT", for the journal

    const std::string& client_text();
};

}  // namespace mockserve::scenario::detail
