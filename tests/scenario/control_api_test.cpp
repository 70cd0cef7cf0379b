// The control API over real sockets: every endpoint and filter, the long
// poll, reloads, routes added at run time, the event stream, each refusal
// of the guard, and readers following the journal while 16 clients send.
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <mockserve/headers.hpp>

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

namespace mockserve::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using test_support::RawClient;
using test_support::RawResponse;
using test_support::TempDir;

const std::string kScenario = R"(
[scenario]
name = control
control = 0

[server api]
[route api hello]
request = GET /hello
response = 200
response.body = hello

[route api create]
request = POST /orders
times = 1
response = 201
response.body = created

[server admin]
[route admin ping]
request = GET /ping
response = 204

[expect api said-hello]
request = GET /hello
count = 1
)";

Scenario from_text(const std::string& text, const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    auto result = parse_scenario(text, "control.ini", base);
    if (!result.ok()) throw std::runtime_error(::testing::PrintToString(result.errors));
    return std::move(*result.scenario);
}

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// One request to the control API; Host names it unless `headers` give one.
RawResponse control(const ScenarioRunner& runner, const std::string& method, const std::string& target,
                    const std::string& headers = "", const std::string& body = "") {
    const auto port = port_of(runner.control_url());
    std::string request = method + " " + target + " HTTP/1.1\r\n";
    if (headers.find("Host:") == std::string::npos) request += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    request += headers + "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    auto response = test_support::exchange(port, request);
    if (!response) throw std::runtime_error("no answer to " + method + " " + target);
    return *response;
}

const std::string kChange = "X-Mockserve: 1\r\n";

int get(const ScenarioRunner& runner, const std::string& server, const std::string& target) {
    const auto response = test_support::exchange(runner.port(server), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    return response ? response->status : 0;
}

int post_order(const ScenarioRunner& runner) {
    const auto response =
        test_support::exchange(runner.port("api"), "POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    return response ? response->status : 0;
}

boost::json::value json(const RawResponse& response) { return boost::json::parse(response.body); }

std::vector<std::string> paths(const boost::json::value& requests) {
    std::vector<std::string> out;
    for (const auto& r : requests.as_array()) out.emplace_back(r.at("path").as_string());
    return out;
}

Scenario one_route() {
    ScenarioBuilder builder;
    builder.server("api").route("x").request("GET /x").response(200);
    return builder.build();
}

TEST(ControlApi, OffUnlessAsked) {
    ScenarioRunner runner(one_route());
    EXPECT_EQ(runner.control_url(), "");
}

TEST(ControlApi, StartsFromTheScenarioOrTheOptionOnTheLoopbackAddress) {
    ScenarioRunner from_file(from_text(kScenario));
    EXPECT_THAT(from_file.control_url(), ::testing::StartsWith("http://127.0.0.1:"));
    RunnerOptions options;
    options.control.port = 0;
    ScenarioRunner from_option(one_route(), options);
    EXPECT_THAT(from_option.control_url(), ::testing::StartsWith("http://127.0.0.1:"));
    EXPECT_EQ(from_option.control_token(), "");
    EXPECT_EQ(control(from_option, "GET", "/requests").status, 200);
}

TEST(ControlApi, RequestsAreTheJournalsObjectsWithEveryFilter) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/hello");
    get(runner, "api", "/nowhere");
    get(runner, "admin", "/ping");
    get(runner, "api", "/hello/again");
    const auto all = control(runner, "GET", "/requests");
    EXPECT_EQ(all.status, 200);
    EXPECT_EQ(all.header("Content-Type"), "application/json");
    const auto entries = json(all);
    ASSERT_EQ(entries.as_array().size(), 4u);
    // The journal file's objects, as they are.
    EXPECT_EQ(boost::json::serialize(entries.as_array()[0]), Journal::to_json(runner.journal().entries()[0]));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?server=admin"))), ElementsAre("/ping"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?route=hello"))), ElementsAre("/hello"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?method=GET&server=api"))),
                ElementsAre("/hello", "/nowhere", "/hello/again"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?path=/hello"))), ElementsAre("/hello"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?path=/hello*"))), ElementsAre("/hello", "/hello/again"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?unmatched=1"))), ElementsAre("/nowhere", "/hello/again"));
    EXPECT_THAT(paths(json(control(runner, "GET", "/requests?since=2"))), ElementsAre("/ping", "/hello/again"));
    const auto typo = control(runner, "GET", "/requests?sever=api");
    EXPECT_EQ(typo.status, 400);
    EXPECT_THAT(typo.body, HasSubstr("unknown parameter 'sever'"));
    EXPECT_EQ(control(runner, "GET", "/requests?wait=61s&path=/x").status, 400);
}

TEST(ControlApi, DeleteRequestsClearsTheJournal) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/hello");
    const auto cleared = control(runner, "DELETE", "/requests", kChange);
    EXPECT_EQ(cleared.status, 200);
    EXPECT_EQ(json(cleared).at("cleared").as_int64(), 1);
    EXPECT_EQ(runner.journal().size(), 0u);
}

TEST(ControlApi, WaitAnswersWithTheFirstMatchingRequestWhenItComes) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/hello");
    // One already there answers at once.
    const auto there = control(runner, "GET", "/requests?path=/hello&wait=5s");
    EXPECT_EQ(there.status, 200);
    EXPECT_EQ(json(there).at("path").as_string(), "/hello");
    // One that comes later ends the wait.
    const auto port = port_of(runner.control_url());
    RawClient poll(port);
    poll.send("GET /requests?server=admin&wait=30s HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
    get(runner, "api", "/not-this-one");
    // Whether the poll is already waiting or has not yet read the journal,
    // this request is what answers it (the poll reads the journal once its
    // cursor is taken, so nothing falls in between).
    get(runner, "admin", "/ping");
    const auto answer = poll.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(json(*answer).at("path").as_string(), "/ping");
}

TEST(ControlApi, WaitTimesOutWith408AndTheRequestsThatCameMeanwhile) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/before");
    std::promise<RawResponse> result;
    std::thread waiter([&] { result.set_value(control(runner, "GET", "/requests?path=/never&wait=300ms")); });
    const auto timed_out = result.get_future().get();
    waiter.join();
    EXPECT_EQ(timed_out.status, 408);
    const auto meanwhile = json(timed_out);
    ASSERT_TRUE(meanwhile.is_array());  // what came meanwhile (here, nothing)
    EXPECT_TRUE(meanwhile.as_array().empty());
}

TEST(ControlApi, ExpectationsAndReportSayWhatVerifySays) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/helo");
    const auto verdicts = json(control(runner, "GET", "/expectations")).as_array();
    ASSERT_EQ(verdicts.size(), 1u);
    EXPECT_EQ(verdicts[0].at("name").as_string(), "said-hello");
    EXPECT_FALSE(verdicts[0].at("passed").as_bool());
    EXPECT_EQ(verdicts[0].at("count").as_int64(), 0);
    EXPECT_EQ(verdicts[0].at("closest").as_array()[0].at("request").at("path").as_string(), "/helo");
    EXPECT_EQ(verdicts[0].at("report").as_string(), runner.verify().results[0].to_string());
    const auto report = control(runner, "GET", "/report");
    EXPECT_EQ(report.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(report.body, runner.verify().to_string());
    get(runner, "api", "/hello");
    EXPECT_TRUE(json(control(runner, "GET", "/expectations")).as_array()[0].at("passed").as_bool());
}

TEST(ControlApi, ResetBringsBackTheFilesScenario) {
    ScenarioRunner runner(from_text(kScenario));
    EXPECT_EQ(control(runner, "POST", "/routes", kChange, "[route api extra]\nrequest = GET /extra\nresponse = 202\n").status, 201);
    EXPECT_EQ(get(runner, "api", "/extra"), 202);
    EXPECT_EQ(post_order(runner), 201);
    EXPECT_EQ(post_order(runner), 404);
    EXPECT_EQ(control(runner, "POST", "/reset", "Content-Type: application/json\r\n", "{}").status, 200);
    EXPECT_EQ(runner.journal().size(), 0u);
    EXPECT_EQ(get(runner, "api", "/extra"), 404);  // the added route is gone
    EXPECT_EQ(post_order(runner), 201);
}

TEST(ControlApi, RoutesAddedAtRunTimeWinAndGoAgain) {
    ScenarioRunner runner(from_text(kScenario));
    const auto added = control(runner, "POST", "/routes", kChange,
                               "# for one test\n[route api hello-teapot]\nrequest = GET /hello\nresponse = 418\n"
                               "response.header = Content-Type: application/json\nresponse.template = on\n"
                               "response.body = {\"path\": \"{{request.path}}\"}\n\n"
                               "[route admin down]\nrequest = GET /ping\nresponse = 503\n");
    EXPECT_EQ(added.status, 201) << added.body;
    const auto teapot = test_support::exchange(runner.port("api"), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(teapot->status, 418);
    EXPECT_EQ(teapot->body, R"({"path": "/hello"})");
    EXPECT_EQ(get(runner, "admin", "/ping"), 503);
    const auto text = control(runner, "GET", "/scenario");
    EXPECT_EQ(text.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_THAT(text.body, HasSubstr("[route api hello-teapot]\nrequest = GET /hello\nresponse = 418\n"));
    EXPECT_THAT(text.body, HasSubstr("[route api hello]\nrequest = GET /hello\n"));
    EXPECT_LT(text.body.find("[route admin down]"), text.body.find("[route api hello]"));
    EXPECT_EQ(control(runner, "DELETE", "/routes/api/hello-teapot", kChange).status, 200);
    EXPECT_EQ(get(runner, "api", "/hello"), 200);
    EXPECT_EQ(get(runner, "admin", "/ping"), 503);
    const auto missing = control(runner, "DELETE", "/routes/api/hello", kChange);
    EXPECT_EQ(missing.status, 404);  // a file's route is not removed here
    EXPECT_THAT(missing.body, HasSubstr("added at run time"));
}

TEST(ControlApi, AddedRoutesGoOnWithTheStatesAndCountsTheyFind) {
    ScenarioRunner runner(from_text(kScenario));
    EXPECT_EQ(post_order(runner), 201);
    EXPECT_EQ(control(runner, "POST", "/routes", kChange, "[route api other]\nrequest = GET /other\nresponse = 200\n").status, 201);
    EXPECT_EQ(post_order(runner), 404);  // `create` answered its one time before the route was added
}

TEST(ControlApi, AddedRoutesAreCannedOnlyAndMistakesSayWhere) {
    ScenarioRunner runner(from_text(kScenario));
    const auto refused = control(runner, "POST", "/routes", kChange,
                                 "[route api files]\nrequest = GET /files/*\nstatic = /etc\n\n"
                                 "[route api run]\nrequest = GET /run/*\ncgi = /usr/bin\n\n"
                                 "[route api secret]\nrequest = GET /secret\nresponse = 200\n"
                                 "response.body_file = /etc/passwd\n\n"
                                 "[route nobody x]\nrequest = GET /x\nresponse = 200\n\n"
                                 "[route api hello]\nrequest = GET /x\nresponse = 200\n\n"
                                 "[server more]\n");
    EXPECT_EQ(refused.status, 400);
    const auto errors = json(refused).at("errors").as_array();
    std::vector<std::string> texts;
    for (const auto& e : errors) texts.emplace_back(e.as_string());
    EXPECT_THAT(texts, ElementsAre(HasSubstr("request body:3: static cannot be given to a route added at run time"),
                                   HasSubstr("request body:7: cgi cannot be given"),
                                   HasSubstr("request body:12: response.body_file cannot be given"),
                                   HasSubstr("request body:14: route 'x' names server 'nobody'"),
                                   HasSubstr("request body:18: server 'api' already has a route named 'hello'"),
                                   HasSubstr("request body:22: only [route SERVER NAME] sections")));
    EXPECT_EQ(get(runner, "api", "/secret"), 404);  // nothing was added
}

TEST(ControlApi, ReloadReadsTheFileAgainAndRefusesOneWithMistakes) {
    TempDir dir;
    const auto file = dir.write("s.ini", kScenario);
    ScenarioRunner runner(load_scenario(file).scenario.value());
    const auto port = runner.port("api");
    get(runner, "api", "/hello");
    dir.write("s.ini", std::string(kScenario).replace(kScenario.find("response.body = hello"), 21, "response.body = hi"));
    EXPECT_EQ(control(runner, "POST", "/reload", kChange).status, 200);
    const auto hi = test_support::exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(hi->body, "hi");
    EXPECT_EQ(runner.port("api"), port);
    EXPECT_EQ(runner.journal().size(), 2u);  // kept
    dir.write("s.ini", kScenario + "\n[route api broken]\nrequest = GET /b\nresponse = 999\n");
    const auto refused = control(runner, "POST", "/reload", kChange);
    EXPECT_EQ(refused.status, 400);
    EXPECT_THAT(refused.body, HasSubstr(file.string() + ":29: response status must be 100-599"));
    EXPECT_EQ(test_support::exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")->body, "hi");
}

TEST(ControlApi, EventsStreamEachEntryAsItIsRecorded) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/hello");
    const auto port = port_of(runner.control_url());
    RawClient events(port);
    events.send("GET /events?since=0 HTTP/1.1\r\nHost: localhost:" + std::to_string(port) + "\r\n\r\n");
    const auto head = events.read_until("\r\n\r\n");
    EXPECT_THAT(head, HasSubstr("Content-Type: text/event-stream"));
    EXPECT_THAT(head, Not(HasSubstr("Access-Control")));
    // since=0 replays the one before, then each new one comes as it is recorded.
    EXPECT_THAT(events.read_until("\n\n"), HasSubstr("retry: 1000"));
    EXPECT_THAT(events.read_until("\n\n"), HasSubstr("id: 1\ndata: {\"seq\":1,"));
    get(runner, "admin", "/ping");
    const auto second = events.read_until("\n\n");
    EXPECT_THAT(second, HasSubstr("id: 2\ndata: "));
    EXPECT_THAT(second, HasSubstr("\"path\":\"/ping\""));
}

TEST(ControlApi, StopEndsStreamsAndPollsAtOnce) {
    auto runner = std::make_unique<ScenarioRunner>(from_text(kScenario));
    const auto port = port_of(runner->control_url());
    RawClient events(port);
    events.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
    events.read_until("retry: 1000\n\n");
    RawClient poll(port);
    poll.send("GET /requests?wait=60s&path=/never HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
    const auto started = std::chrono::steady_clock::now();
    runner.reset();  // well under the shutdown's 10 s grace, or its 60 s wait
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(ControlApi, RefusesAnotherHost) {
    ScenarioRunner runner(from_text(kScenario));
    for (const auto* host : {"Host: evil.example:80\r\n", "Host: 127.0.0.1\r\n", "Host: rebind.example.com:1\r\n"}) {
        const auto refused = control(runner, "GET", "/requests", host);
        EXPECT_EQ(refused.status, 403) << host;
        EXPECT_THAT(refused.body, HasSubstr("not the control address")) << host;
    }
    const auto port = port_of(runner.control_url());
    EXPECT_EQ(control(runner, "GET", "/requests", "Host: localhost:" + std::to_string(port) + "\r\n").status, 200);
    EXPECT_EQ(control(runner, "GET", "/", "Host: evil.example:" + std::to_string(port) + "\r\n").status, 403);
}

TEST(ControlApi, RefusesChangesFromAnotherOriginOrWithoutTheJsonTypeOrHeader) {
    ScenarioRunner runner(from_text(kScenario));
    get(runner, "api", "/hello");
    const auto port = std::to_string(port_of(runner.control_url()));
    const auto foreign = control(runner, "DELETE", "/requests", kChange + "Origin: https://evil.example\r\n");
    EXPECT_EQ(foreign.status, 403);
    EXPECT_THAT(foreign.body, HasSubstr("Origin https://evil.example"));
    EXPECT_EQ(control(runner, "POST", "/reset", kChange + "Origin: null\r\n").status, 403);
    // What a plain HTML form can send.
    const auto form = control(runner, "POST", "/reset", "Content-Type: application/x-www-form-urlencoded\r\n", "a=b");
    EXPECT_EQ(form.status, 403);
    EXPECT_THAT(form.body, HasSubstr("application/json or X-Mockserve: 1"));
    EXPECT_EQ(control(runner, "PUT", "/reset", "Content-Type: text/plain\r\n", "x").status, 403);
    EXPECT_EQ(runner.journal().size(), 1u);  // nothing changed
    // The page's own origin may.
    EXPECT_EQ(control(runner, "DELETE", "/requests", kChange + "Origin: http://127.0.0.1:" + port + "\r\n").status, 200);
    EXPECT_EQ(control(runner, "POST", "/reset", "Content-Type: application/json; charset=utf-8\r\n", "{}").status, 200);
}

TEST(ControlApi, SendsNoCorsHeaders) {
    ScenarioRunner runner(from_text(kScenario));
    for (const auto& response : {control(runner, "GET", "/requests", "Origin: https://evil.example\r\n"),
                                 control(runner, "OPTIONS", "/reset",
                                         "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n")}) {
        for (const auto& [name, value] : response.headers)
            EXPECT_FALSE(http::iequals(name.substr(0, 15), "Access-Control-")) << name;
    }
}

TEST(ControlApi, BeyondLoopbackEveryRequestCarriesTheRunsToken) {
    RunnerOptions options;
    options.control.port = 0;
    options.control.bind = "0.0.0.0";
    ScenarioRunner runner(from_text(kScenario), options);
    const auto& token = runner.control_token();
    ASSERT_EQ(token.size(), 32u);
    const auto port = std::to_string(port_of(runner.control_url()));
    const auto host = "Host: 127.0.0.1:" + port + "\r\n";
    const auto missing = control(runner, "GET", "/requests", host);
    EXPECT_EQ(missing.status, 403);
    EXPECT_THAT(missing.body, HasSubstr("token"));
    EXPECT_EQ(control(runner, "GET", "/requests", host + "Authorization: Bearer wrong\r\n").status, 403);
    EXPECT_EQ(control(runner, "GET", "/requests", host + "Authorization: Bearer " + token + "\r\n").status, 200);
    EXPECT_EQ(control(runner, "GET", "/requests?token=" + token, "Host: build-box.local:" + port + "\r\n").status, 200);
    EXPECT_EQ(control(runner, "GET", "/requests?token=" + token, "Host: build-box.local:1\r\n").status, 403);
}

TEST(ControlApi, UnknownEndpointsAndMethodsSaySo) {
    ScenarioRunner runner(from_text(kScenario));
    const auto unknown = control(runner, "GET", "/admin");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_THAT(unknown.body, HasSubstr("/requests"));
    const auto wrong = control(runner, "GET", "/reset");
    EXPECT_EQ(wrong.status, 405);
    EXPECT_EQ(wrong.header("Allow"), "POST");
    const auto page = control(runner, "GET", "/");
    EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_THAT(page.body, HasSubstr("new EventSource"));
    const auto servers = json(control(runner, "GET", "/servers")).as_array();
    ASSERT_EQ(servers.size(), 2u);
    EXPECT_EQ(servers[1].at("url").as_string(), runner.url("admin"));
}

// Readers follow the journal while 16 clients send 20 requests each: the
// event stream brings every request exactly once (though they finish out
// of order), and whole reads are always in order, never shrinking.
TEST(ControlApi, ReadersMissNothingAndSeeNothingTwiceUnderLoad) {
    ScenarioRunner runner(from_text(kScenario));
    constexpr int kClients = 16, kEach = 20, kTotal = kClients * kEach;
    const auto port = port_of(runner.control_url());
    RawClient events(port);
    events.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
    events.read_until("retry: 1000\n\n");
    // A reader takes the whole journal again and again meanwhile: each
    // snapshot is in order, with no entry twice, and never shrinks.
    std::atomic<bool> sending{true};
    std::promise<std::string> reader_verdict;
    std::thread reader([&] {
        std::size_t last = 0;
        std::string verdict;
        while (sending.load() && verdict.empty()) {
            const auto snapshot = json(control(runner, "GET", "/requests")).as_array();
            for (std::size_t i = 1; i < snapshot.size(); ++i)
                if (snapshot[i].at("seq").as_int64() <= snapshot[i - 1].at("seq").as_int64()) verdict = "out of order";
            if (snapshot.size() < last) verdict = "shrank";
            last = snapshot.size();
        }
        reader_verdict.set_value(verdict);
    });
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c)
        clients.emplace_back([&, c] {
            RawClient client(runner.port("api"));
            for (int i = 0; i < kEach; ++i) {
                client.send("GET /hello?c=" + std::to_string(c) + "&i=" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                ASSERT_TRUE(client.read_response());
            }
        });
    for (auto& t : clients) t.join();
    std::multiset<std::uint64_t> streamed;
    while (streamed.size() < static_cast<std::size_t>(kTotal)) {
        const auto event = events.read_until("\n\n");
        // (the stream is chunked: a chunk's size line may come before an event)
        const auto id = event.find("\nid: ") != std::string::npos ? event.find("\nid: ") + 1 : event.find("id: ");
        if (id == std::string::npos) continue;  // a heartbeat
        streamed.insert(std::stoull(event.substr(id + 4)));
    }
    sending = false;
    reader.join();
    EXPECT_EQ(reader_verdict.get_future().get(), "");
    std::set<std::uint64_t> expected;
    for (std::uint64_t s = 1; s <= kTotal; ++s) expected.insert(s);
    EXPECT_EQ(std::set<std::uint64_t>(streamed.begin(), streamed.end()), expected);
    EXPECT_EQ(streamed.size(), static_cast<std::size_t>(kTotal));  // none twice
    const auto all = json(control(runner, "GET", "/requests?path=/hello")).as_array();
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kTotal));
}

}  // namespace
}  // namespace mockserve::scenario
