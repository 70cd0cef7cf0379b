// Recording through a proxy route (proxy.record), then replaying the file it
// wrote: a session of 50 mixed requests (JSON, templates, a `times`
// sequence, static files with odd names, HEAD, an event stream, chunked
// bodies, matched headers, credentials, a 404) gets the same responses from
// the replay as it got through the proxy, byte for byte but for Date.
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace mockserve::scenario {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using test_support::RawClient;
using test_support::RawResponse;
using test_support::TempDir;

std::string upstream_ini() {
    // Appended, not "+": GCC 12 warns falsely (-Warray-bounds) about such a concatenation.
    std::string text = R"([server up]
[route up list]
request = GET /users
response.header = Content-Type: application/json
response.header = Set-Cookie: session=abc123; HttpOnly
response.body = [{"id": 1}, {"id": 2}]

[route up search]
request = GET /users/search
request.query = name=Ada
response.header = Content-Type: application/json
response.body = [{"id": 42, "name": "Ada"}]

[route up create]
request = POST /users
response = 201
response.template = on
response.header = Content-Type: application/json
response.header = Location: /users/{{request.json /name}}
response.body = {"created": "{{request.json /name}}"}

[route up job-queued]
request = GET /jobs/7
times = 2
response.body = queued

[route up job-running]
request = GET /jobs/7
times = 1
response.body = running

[route up job-done]
request = GET /jobs/7
response.body = done

[route up files]
request = GET|HEAD /site/*
static = )";
    text.append(MOCKSERVE_FIXTURES);
    text.append(R"(/site

[route up events]
request = GET /events
response.event = one
response.event = two\nlines

[route up chunked]
request = GET /chunked
response.header = Transfer-Encoding: chunked
response.body = sent in chunks

[route up delete]
request = DELETE /users/*
response = 204

[route up tenant]
request = GET /tenant
response.template = on
response.body = tenant {{request.header.X-Tenant}}

[route up me]
request = GET /me
request.header = Authorization: *
response.body = it is you
)");
    return text;
}

struct Request {
    std::string text;
    bool head = false;
};

std::vector<Request> session() {
    const auto get = [](const std::string& target, const std::string& fields = "") {
        return Request{"GET " + target + " HTTP/1.1\r\nHost: api.test\r\n" + fields + "\r\n"};
    };
    const auto post = [](const std::string& target, const std::string& body) {
        return Request{"POST " + target + " HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body};
    };
    const std::vector<Request> distinct = {
        get("/users"),
        get("/users/search?name=Ada"),
        post("/users", R"({"name": "Ada"})"),
        post("/users", R"({"name": "Grace"})"),
        get("/site/index.html"),
        get("/site/docs/with%20space.txt"),
        get("/site/docs/caf%C3%A9.txt"),
        get("/site/docs/random.bin"),
        get("/site/docs/data.json"),
        {"HEAD /site/index.html HTTP/1.1\r\nHost: api.test\r\n\r\n", true},
        get("/events"),
        get("/chunked"),
        {"DELETE /users/2 HTTP/1.1\r\nHost: api.test\r\n\r\n"},
        get("/tenant", "X-Tenant: acme\r\n"),
        get("/tenant", "X-Tenant: globex\r\n"),
        get("/me", "Authorization: Bearer s3cret\r\n"),
        get("/nowhere"),
    };
    std::vector<Request> requests;
    // The job is polled through the session: queued, queued, running, done, done...
    for (std::size_t i = 0; requests.size() < 50; ++i) {
        requests.push_back(distinct[i % distinct.size()]);
        if (i % 4 == 0 && requests.size() < 50) requests.push_back(get("/jobs/7"));
    }
    return requests;
}

// The response as the client got it, but Date: what must be the same.
std::string without_date(const RawResponse& r) {
    std::ostringstream text;
    text << r.version << " " << r.status << " " << r.reason << "\n";
    for (const auto& [name, value] : r.headers)
        if (name != "Date") text << name << ": " << value << "\n";
    text << (r.chunked ? "(chunked)\n" : "") << "\n" << r.body;
    return text.str();
}

std::vector<std::string> play(std::uint16_t port, const std::vector<Request>& requests) {
    std::vector<std::string> responses;
    RawClient client(port);
    for (const auto& request : requests) {
        client.send(request.text);
        const auto response = client.read_response(request.head);
        responses.push_back(response ? without_date(*response) : "(no response)");
    }
    return responses;
}

TEST(ProxyRecording, ASessionOf50RequestsReplaysByteForByteButDate) {
    TempDir folder;
    const auto file = folder.path() / "recorded.ini";
    RunnerOptions quiet;
    std::vector<std::string> notices;
    quiet.notices = [&](std::string_view line) { notices.emplace_back(line); };
    auto up = parse_scenario(upstream_ini(), "upstream.ini", "/");
    ASSERT_TRUE(up.ok()) << ::testing::PrintToString(up.errors);
    ScenarioRunner upstream(std::move(*up.scenario), quiet);

    auto edge_scenario = parse_scenario("[server api]\n[route api all]\nproxy = " + upstream.url("up") +
                                            "\nproxy.record = " + file.string() + "\n",
                                        "edge.ini", "/");
    ASSERT_TRUE(edge_scenario.ok()) << ::testing::PrintToString(edge_scenario.errors);
    // What `mockserve record --match-headers X-Tenant,Authorization` sets.
    std::get<Proxy>(edge_scenario.scenario->servers[0].routes[0].action).record_headers = {"X-Tenant", "Authorization"};
    const auto requests = session();
    ASSERT_EQ(requests.size(), 50u);
    std::vector<std::string> recorded;
    {
        ScenarioRunner edge(std::move(*edge_scenario.scenario), quiet);
        recorded = play(edge.port("api"), requests);
        edge.stop();  // writes the file
    }
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_THAT(notices[0], HasSubstr("mockserve: recorded 50 requests as "));
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_THAT(text.str(), HasSubstr("written as REDACTED"));
    EXPECT_THAT(text.str(), Not(HasSubstr("s3cret")));
    EXPECT_THAT(text.str(), Not(HasSubstr("abc123")));
    EXPECT_THAT(text.str(), HasSubstr("times = 2\n"));

    auto loaded = load_scenario(file);
    ASSERT_TRUE(loaded.ok()) << ::testing::PrintToString(loaded.errors) << "\n" << text.str();
    ScenarioRunner replay(std::move(*loaded.scenario), quiet);
    const auto replayed = play(replay.port("api"), requests);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        // A recorded credential replays as REDACTED: the one difference on purpose.
        auto expected = recorded[i];
        if (const auto at = expected.find("Set-Cookie: session=abc123; HttpOnly"); at != std::string::npos)
            expected.replace(at, std::string("Set-Cookie: session=abc123; HttpOnly").size(), "Set-Cookie: REDACTED");
        EXPECT_EQ(replayed[i], expected) << "request " << i + 1 << ": " << requests[i].text;
    }
    // Recorded once each response has gone: the last may still be on its way.
    ASSERT_TRUE(replay.journal().wait_for([](const RecordedRequest&) { return true; }, 50, std::chrono::seconds(10)));
    for (const auto& r : replay.journal().entries()) EXPECT_FALSE(r.unmatched) << r;
}

}  // namespace
}  // namespace mockserve::scenario
