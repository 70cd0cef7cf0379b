// The rules of recording_writer.hpp, on exchanges made by hand; the written
// text is loaded back by the loader, as the replay will.
#include "recording_writer.hpp"

#include <mockserve/scenario/scenario_loader.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

ProxiedExchange exchange(std::string method, std::string target, int status, std::string body,
                         std::vector<Field> request_headers = {}, std::string request_body = {}) {
    ProxiedExchange e;
    e.method = std::move(method);
    e.target = std::move(target);
    e.request_headers = std::move(request_headers);
    e.request_body = std::move(request_body);
    e.status = status;
    e.reason = status == 200 ? "OK" : status == 201 ? "Created" : status == 404 ? "Not Found" : "Teapot";
    e.response_headers = {{"Server", "upstream/1"},
                          {"Date", "Tue, 01 Dec 2026 10:00:00 GMT"},
                          {"Content-Type", "text/plain"},
                          {"Content-Length", std::to_string(body.size())}};
    e.response_body = std::move(body);
    return e;
}

Scenario load_back(const RecordingText& written) {
    auto loaded = parse_scenario("[server api]\n" + written.routes, "recorded.ini", "/");
    EXPECT_TRUE(loaded.ok()) << ::testing::PrintToString(loaded.errors) << "\n" << written.routes;
    return loaded.scenario.value_or(Scenario{});
}

TEST(RecordingWriter, OneRoutePerDistinctRequestInTheOrderFirstSeen) {
    Proxy settings;
    const auto written = write_recording("api",
                                         {exchange("GET", "/users/42?expand=orders", 200, "Ada"),
                                          exchange("POST", "/users", 201, "made", {{"Content-Type", "application/json"}},
                                                   R"({"name": "Grace"})"),
                                          exchange("GET", "/users/42?expand=orders", 200, "Ada")},
                                         settings, 1, "bodies");
    EXPECT_EQ(written.route_count, 2u);
    EXPECT_EQ(written.routes,
              "\n[route api r1-get-users-42]\n"
              "request = GET /users/42\n"
              "request.query = expand=orders\n"
              "response = 200\n"
              "response.header = Server: upstream/1\n"
              "response.header = Content-Type: text/plain\n"
              "response.header = Content-Length: 3\n"
              "response.body = Ada\n"
              "\n[route api r2-post-users]\n"
              "request = POST /users\n"
              "request.json = {\"name\":\"Grace\"}\n"
              "response = 201\n"
              "response.header = Server: upstream/1\n"
              "response.header = Content-Type: text/plain\n"
              "response.header = Content-Length: 4\n"
              "response.body = made\n");
    const auto scenario = load_back(written);
    ASSERT_EQ(scenario.servers.size(), 1u);
    EXPECT_EQ(scenario.servers[0].routes.size(), 2u);
}

TEST(RecordingWriter, DifferentAnswersToOneRequestBecomeATimesSequence) {
    Proxy settings;
    const auto written = write_recording("api",
                                         {exchange("GET", "/job", 200, "queued"), exchange("GET", "/job", 200, "queued"),
                                          exchange("GET", "/job", 200, "running"), exchange("GET", "/job", 200, "done")},
                                         settings, 7, "bodies");
    const auto scenario = load_back(written);
    const auto& routes = scenario.servers.at(0).routes;
    ASSERT_EQ(routes.size(), 3u);
    EXPECT_EQ(routes[0].name, "r7-get-job");
    EXPECT_EQ(routes[0].times, 2u);
    EXPECT_EQ(std::get<CannedResponse>(routes[0].action).body, "queued");
    EXPECT_EQ(routes[1].times, 1u);
    EXPECT_EQ(std::get<CannedResponse>(routes[1].action).body, "running");
    EXPECT_EQ(routes[2].times, std::nullopt);  // the last answer goes on
    EXPECT_EQ(std::get<CannedResponse>(routes[2].action).body, "done");
}

TEST(RecordingWriter, MoreSpecificRoutesOfOnePathComeFirst) {
    Proxy settings;
    const auto written = write_recording(
        "api", {exchange("GET", "/search?q=a", 200, "page 1"), exchange("GET", "/search?q=a&page=2", 200, "page 2")},
        settings, 1, "bodies");
    const auto scenario = load_back(written);
    const auto& routes = scenario.servers.at(0).routes;
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(std::get<CannedResponse>(routes[0].action).body, "page 2");
    EXPECT_EQ(std::get<CannedResponse>(routes[1].action).body, "page 1");
}

TEST(RecordingWriter, BodiesThatAreNotShortTextGoToFiles) {
    Proxy settings;
    auto json = exchange("GET", "/report", 200, std::string(2000, 'x'));
    json.response_headers[2].second = "application/json";
    auto binary = exchange("GET", "/logo", 200, std::string("\x89PNG\r\n\x1a\n", 8));
    binary.response_headers[2].second = "image/png";
    auto lines = exchange("GET", "/lines", 200, "one\ntwo\n");
    lines.response_chunked = true;
    const auto written = write_recording("api", {json, binary, lines}, settings, 1, "api-bodies");
    EXPECT_THAT(written.bodies, ElementsAre(Pair("r1-get-report.json", std::string(2000, 'x')),
                                            Pair("r2-get-logo.bin", std::string("\x89PNG\r\n\x1a\n", 8)),
                                            Pair("r3-get-lines.txt", "one\ntwo\n")));
    EXPECT_THAT(written.routes, HasSubstr("response.body_file = api-bodies/r1-get-report.json\n"));
    EXPECT_THAT(written.routes, HasSubstr("[route api r3-get-lines]\nrequest = GET /lines\nresponse = 200\n"
                                          "response.header = Server: upstream/1\n"
                                          "response.header = Content-Type: text/plain\n"
                                          "response.header = Content-Length: 8\n"
                                          "response.header = Transfer-Encoding: chunked\n"));
}

TEST(RecordingWriter, CredentialsAreRedactedUnlessKept) {
    Proxy settings;
    settings.record_headers = {"Authorization", "X-Tenant"};
    auto e = exchange("GET", "/me", 200, "me", {{"Authorization", "Bearer s3cret"}, {"X-Tenant", "acme"},
                                                {"Cookie", "session=abc"}});
    e.response_headers.emplace_back("Set-Cookie", "session=def; HttpOnly");
    const auto redacted = write_recording("api", {e}, settings, 1, "b");
    EXPECT_THAT(redacted.routes, HasSubstr("request.header = Authorization: *\nrequest.header = X-Tenant: acme\n"));
    EXPECT_THAT(redacted.routes, HasSubstr("response.header = Set-Cookie: REDACTED\n"));
    EXPECT_THAT(redacted.routes, Not(HasSubstr("s3cret")));
    EXPECT_THAT(redacted.routes, Not(HasSubstr("session=")));
    EXPECT_THAT(recording_preamble(settings, 1, 1, {}), HasSubstr("written as REDACTED"));

    settings.record_secrets = true;
    const auto kept = write_recording("api", {e}, settings, 1, "b");
    EXPECT_THAT(kept.routes, HasSubstr("request.header = Authorization: Bearer s3cret\n"));
    EXPECT_THAT(kept.routes, HasSubstr("response.header = Set-Cookie: session=def; HttpOnly\n"));
    EXPECT_THAT(recording_preamble(settings, 1, 1, {}), HasSubstr("--keep-secrets"));
}

TEST(RecordingWriter, APathOneLineCannotGiveBackIsMatchedByAnExpression) {
    Proxy settings;
    const auto written = write_recording(
        "api", {exchange("GET", "/files/a%20b%2A", 200, "star"), exchange("GET", "/docs/caf%C3%A9.txt", 200, "plain")},
        settings, 1, "b");
    EXPECT_THAT(written.routes, HasSubstr("request = GET ~ ^\\/files\\/a\\x20b\\*$\n"));
    EXPECT_THAT(written.routes, HasSubstr("request = GET /docs/caf\xC3\xA9.txt\n"));
    const auto routes = load_back(written).servers.at(0).routes;
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_TRUE(routes[0].request.path->matches("/files/a b*"));
    EXPECT_FALSE(routes[0].request.path->matches("/files/a bc"));
}

TEST(RecordingWriter, AnUnusualReasonIsKept) {
    Proxy settings;
    auto e = exchange("GET", "/tea", 418, "short and stout");
    const auto written = write_recording("api", {e}, settings, 1, "b");
    EXPECT_THAT(written.routes, HasSubstr("response = 418\nresponse.reason = Teapot\n"));
}

}  // namespace
}  // namespace mockserve::scenario::detail
