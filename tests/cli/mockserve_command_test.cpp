// The mockserve command, run as a process.
#include "support/child_process.hpp"
#include "support/h2_client.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/stat.h>

namespace mockserve {
namespace {

using ::testing::HasSubstr;
using test_support::ChildProcess;
using test_support::RawClient;

std::uint16_t port_from_banner(const std::string& line) {
    std::smatch m;
    const std::regex banner(R"(^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http://127\.0\.0\.1:(\d+)/\) \.\.\.$)");
    if (!std::regex_match(line, m, banner) || m[1] != m[2]) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

const std::string kFixtures = MOCKSERVE_FIXTURES;

TEST(MockserveCommand, ServesADirectoryOnAnEphemeralPortAndStopsOnSigterm) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--directory", kFixtures + "/site", "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0) << *banner;

    auto r = test_support::exchange(port, "GET /docs/data.json HTTP/1.1\r\nHost: test\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->version, "HTTP/1.1");
    EXPECT_EQ(r->header("Content-type"), "application/json");
    EXPECT_THAT(r->body, HasSubstr("\"fixture\""));

    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_THAT(mockserve.read_stderr(), HasSubstr("\"GET /docs/data.json HTTP/1.1\" 200 -"));
}

TEST(MockserveCommand, ShortFlagsProtocolAndSigint) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "-p", "HTTP/1.0", "-q", "-d", kFixtures + "/site", "-b", "127.0.0.1", "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0);
    auto r = test_support::exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.0");
    EXPECT_THAT(r->body, HasSubstr("mockserve fixture site"));
    mockserve.signal(SIGINT);
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_EQ(mockserve.read_stderr(), "");
}

TEST(MockserveCommand, Http2FlagSpeaksH2cBesideHttp11) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--http2", "--directory", kFixtures + "/site", "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0) << *banner;
    const auto h2 = test_support::fetch(port, test_support::Protocol::h2c, {"GET", "/docs/data.json", {}, ""});
    EXPECT_EQ(h2.status, 200);
    EXPECT_THAT(h2.body, HasSubstr("\"fixture\""));
    const auto upgraded = test_support::fetch(port, test_support::Protocol::h2c_upgrade, {"GET", "/docs/data.json", {}, ""});
    EXPECT_EQ(upgraded.status, 200);
    const auto plain = test_support::exchange(port, "GET /docs/data.json HTTP/1.1\r\nHost: test\r\n\r\n");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 200);
    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_THAT(mockserve.read_stderr(), HasSubstr("\"GET /docs/data.json HTTP/2.0\" 200 -"));
}

TEST(MockserveCommand, CgiFlagRunsScripts) {
    test_support::TempDir tmp;  // reachable by "nobody", whom a root server runs scripts as
    std::filesystem::copy(kFixtures + "/cgi-bin", tmp.path() / "cgi-bin", std::filesystem::copy_options::recursive);
    ::chmod(tmp.path().c_str(), 0755);
    ChildProcess mockserve({MOCKSERVE_BINARY, "--cgi", "--directory", tmp.str(), "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0);
    auto r = test_support::exchange(port, "GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "Hello from CGI\n");
    auto post = test_support::exchange(port, "POST /cgi-bin/echo.py HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->body, "ping");
    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
}

// The main thread waits for SIGINT and SIGTERM only: a script's exit (its
// SIGCHLD) must not wake it, once per CGI request, for nothing.
TEST(MockserveCommand, ScriptExitsLeaveTheWaitingMainThreadAsleep) {
    test_support::TempDir tmp;
    std::filesystem::copy(kFixtures + "/cgi-bin", tmp.path() / "cgi-bin", std::filesystem::copy_options::recursive);
    ::chmod(tmp.path().c_str(), 0755);
    ChildProcess mockserve({MOCKSERVE_BINARY, "--cgi", "--quiet", "--directory", tmp.str(), "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0);
    // The main thread's task is the process's own id.
    const auto status_file = "/proc/" + std::to_string(mockserve.pid()) + "/task/" + std::to_string(mockserve.pid()) +
                             "/status";
    const auto wake_ups = [&] {
        std::ifstream in(status_file);
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(24));
        return -1L;
    };
    const long before = wake_ups();
    ASSERT_GE(before, 0);
    constexpr int kRequests = 20;
    for (int i = 0; i < kRequests; ++i) {
        auto r = test_support::exchange(port, "GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->body, "Hello from CGI\n");
    }
    EXPECT_LT(wake_ups() - before, kRequests / 4) << "the main thread woke for the scripts' exits";
    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
}

TEST(MockserveCommand, BadArgumentsExitWith2) {
    for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
             {"70000"}, {"-1"}, {"--protocol=HTTP/2"}, {"--no-such-flag"}, {"--directory", "/no/such/dir", "0"}}) {
        std::vector<std::string> argv{MOCKSERVE_BINARY};
        argv.insert(argv.end(), bad.begin(), bad.end());
        ChildProcess mockserve(argv);
        EXPECT_EQ(mockserve.wait(), 2) << bad[0];
        const auto error = mockserve.read_stderr();
        EXPECT_THAT(error, HasSubstr("mockserve: ")) << bad[0];
        EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;
    }
}

TEST(MockserveCommand, HelpDocumentsEveryFlag) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--help"});
    std::string text;
    while (auto line = mockserve.read_line()) text += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 0);
    for (const char* flag : {"--bind", "-b", "--directory", "-d", "--cgi", "--protocol", "-p", "--quiet", "--help", "PORT"})
        EXPECT_THAT(text, HasSubstr(flag));
}

}  // namespace
}  // namespace mockserve
