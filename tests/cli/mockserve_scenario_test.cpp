// `mockserve SCENARIO.ini`, run as a process: the issue's example as written,
// the journal file, expectations, a command run under it, mistakes.
#include "support/child_process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>

namespace mockserve {
namespace {

using ::testing::HasSubstr;
using test_support::ChildProcess;

const std::string kScenarios = MOCKSERVE_SCENARIOS;

// Reads "NAME URL" lines up to "ready"; name to port.
std::map<std::string, std::uint16_t> read_servers(ChildProcess& mockserve) {
    std::map<std::string, std::uint16_t> ports;
    while (auto line = mockserve.read_line()) {
        if (*line == "ready") return ports;
        const auto space = line->find(' ');
        const auto colon = line->rfind(':');
        if (space == std::string::npos || colon == std::string::npos) break;
        ports[line->substr(0, space)] = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
    }
    ADD_FAILURE() << "no 'ready' line";
    return ports;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST(MockserveScenario, TheIssueExampleRunsAsWritten) {
    test_support::TempDir tmp;
    const auto journal = tmp.path() / "journal.jsonl";
    ChildProcess mockserve({MOCKSERVE_BINARY, kScenarios + "/checkout.ini", "--journal", journal.string()});
    auto ports = read_servers(mockserve);
    ASSERT_EQ(ports.size(), 2u);
    ASSERT_TRUE(ports.count("api") && ports.count("legacy"));

    auto created = test_support::exchange(ports["api"],
                                     "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     "Content-Length: 35\r\n\r\n{\"amount\": 1200, \"currency\": \"EUR\"}");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201);
    auto site = test_support::exchange(ports["legacy"], "GET /site/docs/data.json HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(site);
    EXPECT_EQ(site->header("Content-type"), "application/json");

    mockserve.signal(SIGTERM);
    std::string report;
    while (auto line = mockserve.read_line()) report += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_THAT(report, HasSubstr("expectations: 1 passed, 0 failed"));
    const auto lines = read_file(journal);
    EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2);
    EXPECT_THAT(lines, HasSubstr(R"("route":"create-payment")"));
    EXPECT_THAT(mockserve.read_stderr(), HasSubstr("\"POST /v1/payments HTTP/1.1\" 201 -"));
}

TEST(MockserveScenario, FailedExpectationExitsWith1) {
    ChildProcess mockserve({MOCKSERVE_BINARY, kScenarios + "/checkout.ini", "--quiet"});
    read_servers(mockserve);
    mockserve.signal(SIGINT);
    std::string report;
    while (auto line = mockserve.read_line()) report += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 1);
    EXPECT_THAT(report, HasSubstr("FAILED api one-payment (line 37): exactly 1 request(s) matching POST /v1/payments, got 0"));
    EXPECT_EQ(mockserve.read_stderr(), "");
}

TEST(MockserveScenario, AStrictScenarioExitsWith1OnAnUnmatchedRequest) {
    ChildProcess mockserve({MOCKSERVE_BINARY, kScenarios + "/orders-stateful.ini", "--quiet"});
    auto ports = read_servers(mockserve);
    const auto answer = test_support::exchange(ports["api"], "GET /order/1 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 404);
    mockserve.signal(SIGTERM);
    std::string report;
    while (auto line = mockserve.read_line()) report += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 1);
    EXPECT_THAT(report, HasSubstr("unmatched requests (unmatched = fail): 1\n  FAILED #1 GET /order/1 on api\n"
                                  "         No route matched GET /order/1. Closest routes:\n"
                                  "           order-missing (line 21): path is \"/order/1\", expected /orders/1\n"
                                  "           cart-empty (line 53): path is \"/order/1\", expected /cart\n"
                                  "           order-created (line 28): path is \"/order/1\", expected /orders/1; state is "
                                  "start, it needs created\n"));
    EXPECT_THAT(report, ::testing::ContainsRegex("\nseed: [0-9]+ \\(replay these random choices with \\[scenario\\] "
                                                 "seed = [0-9]+\\)\n$"));
}

TEST(MockserveScenario, RunsACommandWithTheServersUrls) {
    // The command posts the payment the scenario expects, through curl-less sh:
    // it only prints its environment; the test checks what it saw.
    test_support::TempDir tmp;
    const auto seen = tmp.path() / "seen.txt";
    ChildProcess ok({MOCKSERVE_BINARY, kScenarios + "/unreliable-upstream.ini", "-q", "--", "/bin/sh", "-c",
                     "echo \"$MOCKSERVE_UPSTREAM_URL\" > " + seen.string()});
    read_servers(ok);
    EXPECT_EQ(ok.wait(), 0);  // its expectation (<=3 retries) holds
    EXPECT_THAT(read_file(seen), ::testing::MatchesRegex("http://127\\.0\\.0\\.1:[0-9]+\n"));

    ChildProcess failing({MOCKSERVE_BINARY, kScenarios + "/unreliable-upstream.ini", "-q", "--", "/bin/sh", "-c", "exit 7"});
    read_servers(failing);
    EXPECT_EQ(failing.wait(), 7);  // the command's code wins

    ChildProcess unmet({MOCKSERVE_BINARY, kScenarios + "/rest-api.ini", "-q", "--", "/bin/true"});
    read_servers(unmet);
    EXPECT_EQ(unmet.wait(), 1);  // nothing was listed or created
}

TEST(MockserveScenario, ControlPrintsItsUrlBeforeReadyAndGivesItToTheCommand) {
    test_support::TempDir tmp;
    const auto seen = tmp.path() / "seen.txt";
    // The command reads the journal through the control API, as a test in any language would.
    ChildProcess mockserve({MOCKSERVE_BINARY, kScenarios + "/rest-api.ini", "-q", "--control", "0", "--", "/bin/sh",
                            "-c",
                            "curl -s \"$MOCKSERVE_USERS_URL/users\" > /dev/null && "
                            "curl -s \"$MOCKSERVE_CONTROL_URL/requests?path=/users\" > " + seen.string()});
    std::vector<std::string> lines;
    while (auto line = mockserve.read_line()) {
        lines.push_back(*line);
        if (*line == "ready") break;
    }
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_THAT(lines[0], ::testing::MatchesRegex("users http://127\\.0\\.0\\.1:[0-9]+"));
    EXPECT_THAT(lines[1], ::testing::MatchesRegex("control http://127\\.0\\.0\\.1:[0-9]+"));
    EXPECT_EQ(mockserve.wait(), 1);  // the expectations do not hold: nothing was created
    EXPECT_THAT(read_file(seen), ::testing::MatchesRegex("\\[\\{\"seq\":1,\"server\":\"users\",\"route\":\"list\".*\\}\\]"));
}

TEST(MockserveScenario, TheScenarioCanAskForTheControlApiItself) {
    test_support::TempDir tmp;
    tmp.write("c.ini", "[scenario]\ncontrol = 0\n[server a]\n[route a x]\nrequest = GET /x\nresponse = 200\n");
    ChildProcess mockserve({MOCKSERVE_BINARY, (tmp.path() / "c.ini").string(), "-q"});
    EXPECT_THAT(mockserve.read_line().value_or(""), ::testing::StartsWith("a http://"));
    EXPECT_THAT(mockserve.read_line().value_or(""), ::testing::StartsWith("control http://127.0.0.1:"));
    EXPECT_EQ(mockserve.read_line(), "ready");
    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
}

TEST(MockserveScenario, WatchReloadsAnEditedScenarioAndRefusesABrokenOne) {
    test_support::TempDir tmp;
    const auto file = tmp.write("w.ini", "[server a]\n[route a x]\nrequest = GET /x\nresponse = 200\nresponse.body = one\n");
    ChildProcess mockserve({MOCKSERVE_BINARY, file.string(), "-q", "--watch"});
    const auto servers = read_servers(mockserve);
    const auto body = [&] {
        const auto response = test_support::exchange(servers.at("a"), "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        return response ? response->body : std::string("no answer");
    };
    EXPECT_EQ(body(), "one");
    tmp.write("w.ini", "[server a]\n[route a x]\nrequest = GET /x\nresponse = 200\nresponse.body = two\n");
    EXPECT_EQ(mockserve.read_stderr_line(), "mockserve: reloaded " + file.string());
    EXPECT_EQ(body(), "two");
    tmp.write("w.ini", "[server a]\n[route a x]\nrequest = GET /x\nresponse = 2000\n");
    EXPECT_EQ(mockserve.read_stderr_line(),
              "mockserve: " + file.string() + " changed, but was not reloaded; the running scenario stays as it was:");
    EXPECT_EQ(mockserve.read_stderr_line(), file.string() + ":4: response status must be 100-599, not '2000'");
    EXPECT_EQ(body(), "two");
    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
}

TEST(MockserveScenario, MistakesAreAllReportedAndNothingStarts) {
    test_support::TempDir tmp;
    tmp.write("bad.ini", "[server a]\nport = 99999\n[route b x]\nrequest = GET /x\nresponse = 200\n[what]\n");
    ChildProcess mockserve({MOCKSERVE_BINARY, (tmp.path() / "bad.ini").string()});
    EXPECT_EQ(mockserve.wait(), 2);
    const auto errors = mockserve.read_stderr();
    const auto file = (tmp.path() / "bad.ini").string();
    EXPECT_THAT(errors, HasSubstr(file + ":2: port must be 0-65535"));
    EXPECT_THAT(errors, HasSubstr(file + ":3: route 'x' names server 'b', which is not declared"));
    EXPECT_THAT(errors, HasSubstr(file + ":6: unknown section [what]"));
    EXPECT_FALSE(mockserve.read_line(std::chrono::milliseconds(100)));  // no server line, no "ready"
}

TEST(MockserveScenario, HelpExplainsBothModes) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--help"});
    std::string text;
    while (auto line = mockserve.read_line()) text += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_THAT(text, HasSubstr("mockserve SCENARIO.ini [--journal FILE.jsonl] [--quiet] [--control PORT]\n"
                                "            [--control-bind ADDRESS] [--watch] [-- COMMAND ARGS...]"));
    EXPECT_THAT(text, HasSubstr("Example: mockserve scenarios/rest-api.ini -- ./integration-test.sh"));
    EXPECT_THAT(text, HasSubstr("--directory"));
}

}  // namespace
}  // namespace mockserve
