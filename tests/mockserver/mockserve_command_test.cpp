// The mockserve command, run as a process.
#include "support/child_process.hpp"
#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

namespace mockserve {
namespace {

using ::testing::HasSubstr;
using testing::ChildProcess;
using testing::RawClient;

std::uint16_t port_from_banner(const std::string& line) {
    std::smatch m;
    const std::regex banner(R"(^Serving HTTP on 127\.0\.0\.1 port (\d+) \(http://127\.0\.0\.1:(\d+)/\) \.\.\.$)");
    if (!std::regex_match(line, m, banner) || m[1] != m[2]) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

TEST(MockserveCommand, ServesOnAnEphemeralPortAndStopsOnSigterm) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0) << *banner;

    RawClient client(port);
    client.send("POST /hello?x=1 HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->version, "HTTP/1.1");
    EXPECT_THAT(r->body, HasSubstr("POST /hello?x=1 HTTP/1.1\nHost: test\n"));
    EXPECT_THAT(r->body, HasSubstr("3 bytes of body"));

    mockserve.signal(SIGTERM);
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_THAT(mockserve.read_stderr(), HasSubstr("\"POST /hello?x=1 HTTP/1.1\" 200 -"));
}

TEST(MockserveCommand, ProtocolOptionAndSigint) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--protocol", "HTTP/1.0", "--quiet", "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    const auto port = port_from_banner(*banner);
    ASSERT_NE(port, 0);
    auto r = testing::exchange(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->version, "HTTP/1.0");
    mockserve.signal(SIGINT);
    EXPECT_EQ(mockserve.wait(), 0);
    EXPECT_EQ(mockserve.read_stderr(), "");
}

TEST(MockserveCommand, BadArgumentsExitWith2) {
    for (const char* bad : {"70000", "--protocol=HTTP/2", "--no-such-flag"}) {
        ChildProcess mockserve({MOCKSERVE_BINARY, bad});
        EXPECT_EQ(mockserve.wait(), 2) << bad;
        EXPECT_THAT(mockserve.read_stderr(), HasSubstr("mockserve: ")) << bad;
    }
}

TEST(MockserveCommand, HelpDocumentsEveryFlag) {
    ChildProcess mockserve({MOCKSERVE_BINARY, "--help"});
    std::string text;
    while (auto line = mockserve.read_line()) text += *line + "\n";
    EXPECT_EQ(mockserve.wait(), 0);
    for (const char* flag : {"--bind", "--protocol", "--quiet", "--help", "PORT"}) EXPECT_THAT(text, HasSubstr(flag));
}

}  // namespace
}  // namespace mockserve
