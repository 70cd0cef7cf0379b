// Scenarios over HTTP/2 (`http2 = on`): every route kind answers on h2c and
// on h2 as it does over HTTP/1.1, faults strike one stream, and the journal
// says HTTP/2.0 and the stream.
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/h2_client.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>

namespace mockserve::scenario {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using test_support::H2Client;
using test_support::H2Request;
using test_support::Protocol;

std::unique_ptr<ScenarioRunner> run(const std::string& ini) {
    auto loaded = parse_scenario(ini, "test.ini", std::filesystem::temp_directory_path());
    if (!loaded.ok()) {
        ADD_FAILURE() << ::testing::PrintToString(loaded.errors);
        return nullptr;
    }
    RunnerOptions options;
    options.notices = [](std::string_view) {};
    return std::make_unique<ScenarioRunner>(std::move(*loaded.scenario), options);
}

struct Tree {
    Tree() {
        tmp.write("site/hello.txt", "static over h2\n");
        std::filesystem::create_directories(tmp.path() / "cgi");
        tmp.write("cgi/proto.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n%s %s\\n' \"$SERVER_PROTOCOL\" \"$REQUEST_METHOD\"\n");
        ::chmod((tmp.path() / "cgi/proto.sh").c_str(), 0755);
        ::chmod(tmp.path().c_str(), 0755);
    }
    test_support::TempDir tmp;
};

class ScenarioOverHttp2 : public ::testing::TestWithParam<Protocol> {
protected:
    void start(const std::string& routes) {
        upstream_ = run("[server up]\n[route up hi]\nrequest = GET /hi\nresponse = 200\nresponse.body = from upstream\n");
        const std::string tls = GetParam() == Protocol::h2 ? "tls = on\n" : "";
        runner_ = run("[server api]\nhttp2 = on\n" + tls + routes + "\n[route api proxied]\nrequest = /up/*\nproxy = " +
                      upstream_->url("up") + "\nproxy.strip_prefix = /up\n");
        ASSERT_TRUE(runner_);
    }
    H2Client client() { return H2Client(runner_->port("api"), GetParam(), {runner_->ca_pem()}); }
    const std::unique_ptr<ScenarioRunner>& runner() const { return runner_; }

private:
    std::unique_ptr<ScenarioRunner> upstream_;
    std::unique_ptr<ScenarioRunner> runner_;
};

INSTANTIATE_TEST_SUITE_P(Http2, ScenarioOverHttp2, ::testing::Values(Protocol::h2c, Protocol::h2c_upgrade, Protocol::h2),
                         [](const auto& info) { return test_support::protocol_name(info.param); });

TEST_P(ScenarioOverHttp2, EveryRouteKindAnswers) {
    Tree tree;
    start("[route api canned]\nrequest = GET /canned\nresponse = 201\nresponse.header = X-Kind: canned\n"
          "response.body = canned over h2\n"
          "[route api templated]\nrequest = POST /orders/*\nresponse = 200\nresponse.template = on\n"
          "response.body = order {{request.path.1}} got {{request.body}}\n"
          "[route api twice]\nrequest = GET /twice\ntimes = 2\nresponse = 200\nresponse.body = first two\n"
          "[route api after]\nrequest = GET /twice\nresponse = 410\n"
          "[route api files]\nrequest = GET /site/*\nstatic = " + (tree.tmp.path() / "site").string() + "\n"
          "[route api scripts]\nrequest = /cgi/*\ncgi = " + (tree.tmp.path() / "cgi").string() + "\n"
          "[route api events]\nrequest = GET /events\nresponse = 200\nresponse.event = one\nresponse.event = two\n"
          "response.event_delay = 10ms\n"
          "[route api dribble]\nrequest = GET /dribble\nresponse = 200\nresponse.body = abcdefghij\n"
          "response.chunk_size = 3\nresponse.chunk_delay = 5ms\n");
    auto c = client();
    const auto responses = c.fetch_all({{"GET", "/canned", {}, ""},
                                        {"POST", "/orders/42", {}, "two books"},
                                        {"GET", "/site/hello.txt", {}, ""},
                                        {"GET", "/cgi/proto.sh", {}, ""},
                                        {"GET", "/events", {}, ""},
                                        {"GET", "/dribble", {}, ""},
                                        {"GET", "/up/hi", {}, ""},
                                        {"GET", "/nowhere", {}, ""}});
    EXPECT_EQ(responses[0].status, 201);
    EXPECT_EQ(responses[0].body, "canned over h2");
    EXPECT_EQ(responses[0].header("x-kind"), "canned");
    EXPECT_EQ(responses[1].body, "order 42 got two books");
    EXPECT_EQ(responses[2].body, "static over h2\n");
    EXPECT_EQ(responses[3].body, "HTTP/2.0 GET\n");
    EXPECT_EQ(responses[4].body, "data: one\n\ndata: two\n\n");
    EXPECT_EQ(responses[4].header("content-type"), "text/event-stream");
    EXPECT_EQ(responses[5].body, "abcdefghij");
    EXPECT_EQ(responses[6].body, "from upstream");
    EXPECT_EQ(responses[7].status, 404);
    // A sequence counts HTTP/2 requests as it counts any.
    const auto twice = c.fetch_all({{"GET", "/twice", {}, ""}, {"GET", "/twice", {}, ""}});
    EXPECT_EQ(twice[0].status, 200);
    EXPECT_EQ(twice[1].status, 200);
    EXPECT_EQ(c.fetch({"GET", "/twice", {}, ""}).status, 410);
}

TEST_P(ScenarioOverHttp2, TheJournalSaysHttp2AndTheStream) {
    start("[route api canned]\nrequest = GET /canned\nresponse = 200\nresponse.body = ok\n");
    auto c = client();
    const auto responses = c.fetch_all({{"GET", "/canned?n=1", {{"X-Test", "yes"}}, ""}, {"GET", "/canned?n=2", {}, ""}});
    ASSERT_TRUE(runner()->journal().wait_for([](const RecordedRequest&) { return true; }, 2, 5s));
    auto entries = runner()->journal().entries();
    ASSERT_EQ(entries.size(), 2u);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.target < b.target; });
    EXPECT_EQ(entries[0].version, "HTTP/2.0");
    EXPECT_EQ(entries[0].stream_id, responses[0].stream_id);
    EXPECT_EQ(entries[1].stream_id, responses[1].stream_id);
    EXPECT_NE(entries[0].stream_id, 0u);
    EXPECT_EQ(entries[0].route, "canned");
    EXPECT_EQ(entries[0].status, 200);
    std::ostringstream printed;
    printed << entries[0];
    EXPECT_THAT(printed.str(), HasSubstr("GET /canned?n=1 HTTP/2.0\n"));
    EXPECT_THAT(printed.str(), HasSubstr("(stream " + std::to_string(entries[0].stream_id) + ")"));
    if (GetParam() == Protocol::h2) {
        ASSERT_TRUE(entries[0].tls);
        EXPECT_EQ(entries[0].tls->alpn, "h2");
    }
}

TEST_P(ScenarioOverHttp2, APacedStreamKeepsItsOwnJournalEntry) {
    // A paced body is reported when its last piece leaves, long after its
    // handler returned; the streams served meanwhile must not lend that
    // handler out and write their requests over the paced one's record.
    start("[route api dribble]\nrequest = GET /dribble\nresponse = 200\nresponse.body = abcdefghi\n"
          "response.chunk_size = 3\nresponse.chunk_delay = 100ms\n"
          "[route api canned]\nrequest = GET /canned\nresponse = 200\nresponse.body = ok\n");
    auto c = client();
    std::vector<H2Request> requests{{"GET", "/dribble", {}, ""}};
    for (int i = 0; i < 20; ++i) requests.push_back({"GET", "/canned?n=" + std::to_string(i), {}, ""});
    const auto responses = c.fetch_all(requests);
    EXPECT_EQ(responses[0].body, "abcdefghi");
    ASSERT_TRUE(runner()->journal().wait_for([](const RecordedRequest&) { return true; }, 21, 5s));
    const auto entries = runner()->journal().entries();
    ASSERT_EQ(entries.size(), 21u);
    std::set<std::string> targets;
    for (const auto& entry : entries) {
        EXPECT_EQ(entry.route, entry.path == "/dribble" ? "dribble" : "canned") << entry;
        targets.insert(entry.target);
    }
    EXPECT_EQ(targets.size(), 21u);  // each request once, none twice
    EXPECT_EQ(targets.count("/dribble"), 1u);
}

TEST_P(ScenarioOverHttp2, FaultsStrikeOneStream) {
    start("[route api reset]\nrequest = GET /reset\nresponse = 200\nresponse.fault = reset\n"
          "[route api truncate]\nrequest = GET /truncate\nresponse = 200\nresponse.body = 0123456789\n"
          "response.fault = truncate\n"
          "[route api close]\nrequest = GET /close\nresponse = 200\nresponse.fault = close\n"
          "[route api ok]\nrequest = GET /ok\nresponse = 200\nresponse.body = fine\n");
    auto c = client();
    const auto responses = c.fetch_all({{"GET", "/reset", {}, ""}, {"GET", "/truncate", {}, ""}, {"GET", "/ok", {}, ""}});
    EXPECT_EQ(responses[0].status, 0);
    EXPECT_TRUE(responses[0].reset);  // RST_STREAM, this stream only
    EXPECT_EQ(responses[1].status, 200);
    EXPECT_EQ(responses[1].body, "01234");  // half the body,
    EXPECT_TRUE(responses[1].reset);        // then RST_STREAM
    EXPECT_EQ(responses[2].body, "fine");
    EXPECT_FALSE(c.goaway());
    // close: GOAWAY, and the connection ends.
    const auto closed = c.fetch({"GET", "/close", {}, ""});
    EXPECT_EQ(closed.status, 0);
    EXPECT_TRUE(c.goaway());
    EXPECT_TRUE(c.closed_by_server(5s));
    ASSERT_TRUE(runner()->journal().wait_for([](const RecordedRequest& r) { return r.path == "/close"; }, 1, 5s));
    std::map<std::string, std::string> faults;
    for (const auto& entry : runner()->journal().entries()) faults[entry.path] = entry.fault;
    EXPECT_EQ(faults["/reset"], "reset");
    EXPECT_EQ(faults["/truncate"], "truncate");
    EXPECT_EQ(faults["/close"], "close");
}

TEST(ScenarioHttp2, IsOffUnlessAsked) {
    auto runner = run("[server api]\n[route api x]\nrequest = /x\nresponse = 200\n");
    H2Client client(runner->port("api"), Protocol::h2c, {{}, 3000ms});
    EXPECT_EQ(client.fetch_all({{"GET", "/x", {}, ""}})[0].status, 0);
    // HTTP/1.1 is always there, with http2 = on too.
    auto both = run("[server api]\nhttp2 = on\n[route api x]\nrequest = /x\nresponse = 200\nresponse.body = one\n");
    const auto r = test_support::exchange(both->port("api"), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "one");
}

TEST(ScenarioHttp2, TheKeyIsOnOrOff) {
    const auto loaded = parse_scenario("[server api]\nhttp2 = yes\nmax_concurrent_streams = 0\n", "test.ini", ".");
    ASSERT_FALSE(loaded.ok());
    EXPECT_THAT(::testing::PrintToString(loaded.errors), HasSubstr("test.ini:2: http2 is on or off, not 'yes'"));
    EXPECT_THAT(::testing::PrintToString(loaded.errors),
                HasSubstr("test.ini:3: max_concurrent_streams must be 1-100000, not '0'"));
}

}  // namespace
}  // namespace mockserve::scenario
