// Scenario behaviours over real sockets: times, state machines, templates,
// slow bodies and event streams, seeded randomness, strict mode, ordered
// expectations, and reset.
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <sstream>
#include <mutex>
#include <thread>

namespace mockserve::scenario {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test_support::RawClient;

const std::filesystem::path kScenarios = MOCKSERVE_SCENARIOS;

const std::filesystem::path kExamples = MOCKSERVE_EXAMPLES;

// The examples scenarios/README.md shows (the issue's, as written).
Scenario example(const std::string& name) { return load_scenario(kExamples / name).scenario.value(); }
std::string example_text(const std::string& name) {
    std::ifstream in(kExamples / name);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Scenario from_text(const std::string& text) {
    auto result = parse_scenario(text, "test.ini", kScenarios);
    if (!result.ok()) throw std::runtime_error(::testing::PrintToString(result.errors));
    return std::move(*result.scenario);
}

std::optional<test_support::RawResponse> get(const ScenarioRunner& runner, const std::string& server,
                                             const std::string& target, const std::string& method = "GET",
                                             const std::string& body = "", const std::string& headers = "") {
    return test_support::exchange(runner.port(server), method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + headers +
                                                           "Content-Length: " + std::to_string(body.size()) +
                                                           "\r\n\r\n" + body);
}

int status(const std::optional<test_support::RawResponse>& response) { return response ? response->status : -1; }

TEST(ScenarioTimes, ARouteAnswersItsTimesThenTheNextAnswers) {
    ScenarioRunner runner(example("times.ini"));
    std::vector<std::string> bodies;
    for (int i = 0; i < 4; ++i) {
        const auto r = get(runner, "api", "/jobs/7");
        ASSERT_TRUE(r);
        bodies.push_back(std::to_string(r->status) + " " + r->body);
    }
    EXPECT_THAT(bodies, ElementsAre(R"(202 {"state": "running"})", R"(202 {"state": "running"})",
                                    R"(200 {"state": "done"})", R"(200 {"state": "done"})"));
}

TEST(ScenarioTimes, CountingIsExactUnderConcurrency) {
    ScenarioRunner runner(from_text("[server api]\nthreads = 4\n"
                                    "[route api limited]\nrequest = /race\ntimes = 5\nresponse = 200\n"
                                    "[route api fallback]\nrequest = /race\nresponse = 429\n"));
    constexpr int kClients = 16, kRounds = 3;
    std::mutex mutex;
    std::vector<int> statuses;
    std::latch start(kClients);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c)
        clients.emplace_back([&] {
            RawClient client(runner.port("api"));
            start.arrive_and_wait();
            for (int i = 0; i < kRounds; ++i) {
                client.send("GET /race HTTP/1.1\r\nHost: x\r\n\r\n");
                const auto r = client.read_response();
                std::lock_guard<std::mutex> hold(mutex);
                statuses.push_back(r ? r->status : -1);
            }
        });
    for (auto& t : clients) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 5);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429), kClients * kRounds - 5);
}

TEST(ScenarioState, OrdersMoveTheMachineAndTheJournalSaysHow) {
    ScenarioRunner runner(example("states.ini"));
    EXPECT_EQ(status(get(runner, "api", "/orders/1")), 404);
    EXPECT_EQ(status(get(runner, "api", "/orders", "POST")), 201);
    EXPECT_EQ(status(get(runner, "api", "/orders/1")), 200);
    const auto entries = runner.journal().entries();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].state, "start");
    EXPECT_EQ(entries[0].next_state, "start");
    EXPECT_EQ(entries[1].state, "start");
    EXPECT_EQ(entries[1].next_state, "created");
    EXPECT_EQ(entries[2].state, "created");
    EXPECT_THAT(Journal::to_json(entries[1]), HasSubstr(R"("state":"start","next_state":"created")"));
    std::ostringstream printed;
    printed << entries[1];
    EXPECT_THAT(printed.str(), HasSubstr("\n-- state start -> created"));
}

TEST(ScenarioState, MachinesAreIndependent) {
    ScenarioRunner runner(from_text("[server shop]\n[server warehouse]\n"
                                    "[route shop fill]\nrequest = POST /cart\nnext_state = cart:full\nresponse = 200\n"
                                    "[route shop pay]\nrequest = POST /pay\nnext_state = payment:done\nresponse = 200\n"
                                    "[route shop open]\nrequest = POST /open\nnext_state = open\nresponse = 200\n"
                                    "[route warehouse ship]\nrequest = /ship\nstate = cart:full\nresponse = 200\n"
                                    "[route warehouse paid]\nrequest = /paid\nstate = payment:done\nresponse = 200\n"
                                    "[route warehouse own]\nrequest = /own\nstate = start\nresponse = 200\n"
                                    "[route warehouse else]\nrequest = /*\nresponse = 409\n"));
    EXPECT_EQ(status(get(runner, "shop", "/cart", "POST")), 200);
    // cart moved; payment did not; the shop's own machine is not the warehouse's.
    EXPECT_EQ(status(get(runner, "warehouse", "/ship")), 200);
    EXPECT_EQ(status(get(runner, "warehouse", "/paid")), 409);
    EXPECT_EQ(status(get(runner, "shop", "/open", "POST")), 200);
    EXPECT_EQ(status(get(runner, "warehouse", "/own")), 200);  // the shop's own machine moved, not the warehouse's
    EXPECT_EQ(status(get(runner, "shop", "/pay", "POST")), 200);
    EXPECT_EQ(status(get(runner, "warehouse", "/paid")), 200);
}

TEST(ScenarioState, ResetRestoresStatesCountsAndTheJournalTogether) {
    ScenarioRunner runner(from_text(example_text("times.ini") + "[route api create]\nrequest = POST /orders\n"
                                                         "next_state = created\nresponse = 201\n"
                                                         "[route api created]\nrequest = /orders/1\nstate = created\n"
                                                         "response = 200\n"));
    EXPECT_EQ(status(get(runner, "api", "/jobs/7")), 202);
    EXPECT_EQ(status(get(runner, "api", "/jobs/7")), 202);
    EXPECT_EQ(status(get(runner, "api", "/orders", "POST")), 201);
    EXPECT_EQ(status(get(runner, "api", "/orders/1")), 200);
    runner.reset();
    EXPECT_EQ(runner.journal().size(), 0u);
    EXPECT_EQ(status(get(runner, "api", "/jobs/7")), 202);
    EXPECT_EQ(status(get(runner, "api", "/orders/1")), 404);
    const auto miss = get(runner, "api", "/orders/1");
    ASSERT_TRUE(miss);
    EXPECT_THAT(miss->body, HasSubstr("created (line 17): state is start, it needs created"));
}

TEST(ScenarioTemplates, FilledFromTheRequestAndEscapedForJson) {
    ScenarioRunner runner(from_text(R"ini([server api]
[route api echo]
request = POST ~ ^/users/([a-z]+)$
response = 201
response.template = on
response.header = Content-Type: application/json
response.header = Location: /users/{{request.match.1}}/{{seq}}
response.body = {"user": "{{request.match.1}}", "name": "{{request.json /name}}", "id": {{request.json /id}}, "trace": "{{request.header.X-Trace}}", "page": "{{request.query.page}}", "method": "{{request.method}}", "second": "{{request.path.1}}"}
)ini"));
    const auto r = get(runner, "api", "/users/ann?page=3", "POST", R"({"name": "O\"Brien\\", "id": 17})",
                       "X-Trace: a\"b\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->header("Location"), "/users/ann/1");
    EXPECT_EQ(r->body, R"({"user": "ann", "name": "O\"Brien\\", "id": 17, "trace": "a\"b", "page": "3", "method": "POST", "second": "ann"})");
}

TEST(ScenarioStreams, AChunkedDribbleKeepsItsLengthAndTakesItsTime) {
    ScenarioRunner runner(from_text("[server api]\n"
                                    "[route api slow]\nrequest = /slow\nresponse = 200\nresponse.body = abcdefghij\n"
                                    "response.chunk_size = 4\nresponse.chunk_delay = 50ms\n"
                                    "[route api chunks]\nrequest = /chunks\nresponse = 200\nresponse.body = abcdefghij\n"
                                    "response.header = Transfer-Encoding: chunked\n"
                                    "response.chunk_size = 4\nresponse.chunk_delay = 10ms\n"));
    const auto start = std::chrono::steady_clock::now();
    const auto slow = get(runner, "api", "/slow");
    ASSERT_TRUE(slow);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);  // abcd, efgh, ij: two pauses
    EXPECT_EQ(slow->header("Content-Length"), "10");
    EXPECT_EQ(slow->body, "abcdefghij");
    RawClient client(runner.port("api"));
    client.send("GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto raw = client.read_until("\r\n0\r\n\r\n");
    EXPECT_THAT(raw, HasSubstr("Transfer-Encoding: chunked\r\n"));
    EXPECT_THAT(raw, ::testing::Not(HasSubstr("Content-Length")));
    EXPECT_THAT(raw, ::testing::EndsWith("\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n"));
}

TEST(ScenarioStreams, ServerSentEventsInOrderThenTheEnd) {
    ScenarioRunner runner(from_text("[server api]\n[route api events]\nrequest = /events\nresponse = 200\n"
                                    "response.event = {\"n\": 1}\nresponse.event = event: done\\ndata: bye\n"
                                    "response.event_delay = 20ms\n"));
    const auto r = get(runner, "api", "/events");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Content-Type"), "text/event-stream");
    EXPECT_EQ(r->header("Cache-Control"), "no-cache");
    EXPECT_TRUE(r->chunked);
    EXPECT_EQ(r->body, "data: {\"n\": 1}\n\nevent: done\ndata: bye\n\n");
}

TEST(ScenarioStreams, ARepeatingStreamGoesOnUntilTheClientLeaves) {
    ScenarioRunner runner(from_text("[server api]\n[route api ticks]\nrequest = /ticks\nresponse = 200\n"
                                    "response.event = tick\nresponse.event_delay = 5ms\nresponse.event_repeat = on\n"));
    {
        RawClient client(runner.port("api"));
        client.send("GET /ticks HTTP/1.1\r\nHost: x\r\n\r\n");
        for (int tick = 0; tick < 10; ++tick) client.read_until("data: tick\n\n");
    }
    // The server notices the client has gone at its next writes, and records the exchange.
    ASSERT_TRUE(runner.journal().wait_for([](const RecordedRequest&) { return true; }, 1, 10s));
    EXPECT_EQ(runner.journal().entries()[0].status, 200);
    EXPECT_GE(runner.journal().entries()[0].bytes_sent, 10u * std::string("data: tick\n\n").size());
}

TEST(ScenarioBuilderBehaviours, TheBuildersWordsDoWhatTheKeysDo) {
    ScenarioBuilder b;
    auto& api = b.server("api");
    api.route("echo")
        .request("POST ~ ^/echo/([a-z]+)$")
        .response(200)
        .response_template()
        .response_header("Content-Type", "application/json")
        .response_header("X-Seq", "{{seq}}")
        .response_body(R"({"word": "{{request.match.1}}", "said": "{{request.body}}"})");
    api.route("chunked").request("/chunked").response(200).response_header("Transfer-Encoding", "chunked").response_body(
        "all at once");
    api.route("events").request("/events").response(200).response_event("one").response_event("two").response_event_delay(
        5ms);
    api.route("dribble").request("/dribble").response(200).response_body("abcdef").response_chunk_size(2).response_chunk_delay(
        5ms);
    ScenarioRunner runner(b.build());
    const auto echo = get(runner, "api", "/echo/hi", "POST", "say \"hi\"");
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->header("X-Seq"), "1");
    EXPECT_EQ(echo->body, R"({"word": "hi", "said": "say \"hi\""})");
    const auto chunked = get(runner, "api", "/chunked");
    ASSERT_TRUE(chunked);
    EXPECT_TRUE(chunked->chunked);
    EXPECT_EQ(chunked->header_count("Transfer-Encoding"), 1u);
    EXPECT_EQ(chunked->body, "all at once");
    EXPECT_EQ(get(runner, "api", "/events")->body, "data: one\n\ndata: two\n\n");
    EXPECT_EQ(get(runner, "api", "/dribble")->body, "abcdef");
    // An HTTP/1.0 client cannot take chunks: the body runs to the close.
    RawClient old(runner.port("api"));
    old.send("GET /chunked HTTP/1.0\r\n\r\n");
    EXPECT_THAT(old.read_to_close(), ::testing::EndsWith("\r\n\r\nall at once"));
    // Mistakes in the builder's words are the loader's.
    ScenarioBuilder wrong;
    wrong.server("api").route("r").request("/").response(200).response_template().response_body("{{request.nope}}");
    EXPECT_THROW(
        {
            try {
                wrong.build();
            } catch (const std::invalid_argument& e) {
                EXPECT_THAT(e.what(), HasSubstr("route api r response.body: unknown template name {{request.nope}}"));
                throw;
            }
        },
        std::invalid_argument);
}

// What a seeded route did to each of `n` requests, in order: its fault
// (or "ok") and the delay it chose.
std::vector<std::string> outcomes(std::uint64_t seed, int n) {
    ScenarioBuilder b;
    b.seed(seed);
    b.server("api").route("flaky").request("/flaky").response(200).response_delay(0ms, 30ms).response_fault(
        CannedResponse::Fault::reset, 0.3);
    ScenarioRunner runner(b.build());
    for (int i = 0; i < n; ++i) {
        // A reset leaves no response: read to the close, whatever comes.
        RawClient client(runner.port("api"));
        client.send("GET /flaky HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        client.read_to_close();
    }
    std::vector<std::string> seen;
    for (const auto& e : runner.journal().entries())
        seen.push_back((e.fault.empty() ? "ok" : e.fault) + "/" + std::to_string(e.delay.count()));
    return seen;
}

TEST(ScenarioRandomness, TheSameSeedGivesTheSameFaultsAndDelays) {
    const auto first = outcomes(1234, 20);
    ASSERT_EQ(first.size(), 20u);
    EXPECT_EQ(outcomes(1234, 20), first);
    EXPECT_NE(outcomes(99, 20), first);
    const auto resets = std::count_if(first.begin(), first.end(), [](const std::string& s) { return s[0] == 'r'; });
    EXPECT_GT(resets, 0);
    EXPECT_LT(resets, 20);
}

TEST(ScenarioRandomness, ADrawnSeedIsPrintedWithTheReport) {
    ScenarioRunner runner(from_text("[server api]\n"));
    EXPECT_THAT(runner.verify().to_string(),
                HasSubstr("seed: " + std::to_string(runner.seed()) + " (replay these random choices with [scenario] "
                          "seed = " + std::to_string(runner.seed()) + ")"));
    ScenarioRunner seeded(from_text("[scenario]\nseed = 5\n[server api]\n"));
    EXPECT_EQ(seeded.seed(), 5u);
}

TEST(ScenarioStrict, UnmatchedRequestsFailTheRunWithTheirExplanation) {
    ScenarioRunner runner(from_text("[scenario]\nunmatched = fail\n[server api]\n[route api ok]\nrequest = /ok\n"
                                    "response = 200\n"));
    EXPECT_EQ(status(get(runner, "api", "/ok")), 200);
    EXPECT_TRUE(runner.verify().passed());
    const auto miss = get(runner, "api", "/okay");
    EXPECT_EQ(status(miss), 404);
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());
    ASSERT_EQ(report.unmatched.size(), 1u);
    EXPECT_THAT(report.to_string(), HasSubstr("unmatched requests (unmatched = fail): 1\n"
                                              "  FAILED #2 GET /okay on api\n"
                                              "         No route matched GET /okay. Closest routes:\n"
                                              "           ok (line 4): path is \"/okay\", expected /ok\n"));
    // The default answers 404 and does not fail.
    ScenarioRunner lenient(from_text("[server api]\n"));
    get(lenient, "api", "/x");
    EXPECT_TRUE(lenient.verify().passed());
}

TEST(ScenarioAfter, HoldsAcrossServers) {
    ScenarioRunner runner(example("after.ini"));
    get(runner, "auth", "/oauth/token", "POST");
    get(runner, "api", "/v1/accounts");
    get(runner, "api", "/v1/accounts");
    const auto report = runner.verify();
    EXPECT_TRUE(report.passed()) << report;
    EXPECT_THAT(report.to_string(), HasSubstr("  ok     api call (line 13): at least 1 request(s) matching GET /v1/accounts, "
                                              "after token, got 2\n"));
}

TEST(ScenarioAfter, AViolationNamesBothRequests) {
    ScenarioRunner runner(example("after.ini"));
    get(runner, "api", "/v1/accounts");
    get(runner, "auth", "/oauth/token", "POST");
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());
    const auto text = report.to_string();
    EXPECT_THAT(text, HasSubstr("  FAILED api call (line 13)"));
    EXPECT_THAT(text, ::testing::ContainsRegex("out of order: #1 GET /v1/accounts at [-0-9T:.]+Z came before "
                                               "#2 POST /oauth/token at [-0-9T:.]+Z, the first request of token"));
    ScenarioRunner never(example("after.ini"));
    get(never, "api", "/v1/accounts");
    EXPECT_THAT(never.verify().to_string(),
                HasSubstr("out of order: #1 GET /v1/accounts at "));
    EXPECT_THAT(never.verify().to_string(), HasSubstr("came, but no request matched token before it"));
}

}  // namespace
}  // namespace mockserve::scenario
