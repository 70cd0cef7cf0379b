// `mockserve record`, run as a process in front of another mockserve: the
// issue's command as written, stopped by SIGINT, then the file it wrote run
// as a scenario; its options; what it says about wrong ones.
#include "support/child_process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace mockserve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using test_support::ChildProcess;

// Reads "NAME URL" lines up to "ready"; the last URL's port.
std::uint16_t port_before_ready(ChildProcess& process, const std::string& name) {
    std::uint16_t port = 0;
    while (auto line = process.read_line()) {
        if (*line == "ready") return port;
        if (line->rfind(name + " http://127.0.0.1:", 0) == 0) port = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    }
    ADD_FAILURE() << "no 'ready' line";
    return port;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::optional<test_support::RawResponse> get(std::uint16_t port, const std::string& target, const std::string& fields = "") {
    return test_support::exchange(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n");
}

TEST(MockserveRecord, RecordsUntilSigintThenTheFileReplays) {
    test_support::TempDir tmp;
    ChildProcess upstream({MOCKSERVE_BINARY, std::string(MOCKSERVE_SCENARIOS) + "/rest-api.ini", "--quiet"});
    const auto upstream_port = port_before_ready(upstream, "users");
    const auto out = tmp.path() / "api.ini";
    ChildProcess recorder({MOCKSERVE_BINARY, "record", "--target", "http://127.0.0.1:" + std::to_string(upstream_port),
                           "--out", out.string(), "--match-headers", "Authorization", "--body-dir",
                           (tmp.path() / "bodies").string(), "--keep-secrets", "--quiet"});
    const auto port = port_before_ready(recorder, "recorded");
    ASSERT_NE(port, 0);

    const auto listed = get(port, "/users");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200);
    const auto one = get(port, "/users/42", "Authorization: Bearer s3cret\r\n");
    ASSERT_TRUE(one);
    recorder.signal(SIGINT);
    EXPECT_EQ(recorder.wait(), 0);
    EXPECT_THAT(recorder.read_stderr(), HasSubstr("mockserve: recorded 2 requests as 2 routes in " + out.string() +
                                                  " (bodies in " + (tmp.path() / "bodies").string() + ")"));

    const auto text = read_file(out);
    EXPECT_THAT(text, HasSubstr("\n[server recorded]\n"));
    EXPECT_THAT(text, HasSubstr("[route recorded r1-get-users]\nrequest = GET /users\nresponse = 200\n"));
    EXPECT_THAT(text, HasSubstr("request.header = Authorization: Bearer s3cret\n"));  // --keep-secrets
    EXPECT_THAT(text, HasSubstr("--keep-secrets"));
    EXPECT_THAT(text, HasSubstr("response.body_file = bodies/r2-get-users-42.json\n"));  // beside the file: relative
    EXPECT_EQ(read_file(tmp.path() / "bodies" / "r2-get-users-42.json"), one->body);

    // The upstream can go: the file answers alone.
    upstream.signal(SIGTERM);
    upstream.wait();
    ChildProcess replay({MOCKSERVE_BINARY, out.string(), "--quiet"});
    const auto replay_port = port_before_ready(replay, "recorded");
    const auto again = get(replay_port, "/users");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->body, listed->body);
    const auto without = get(replay_port, "/users/42");
    ASSERT_TRUE(without);
    EXPECT_EQ(without->status, 404) << "the recorded route wants the recorded Authorization";
    const auto with = get(replay_port, "/users/42", "Authorization: Bearer s3cret\r\n");
    ASSERT_TRUE(with);
    EXPECT_EQ(with->body, one->body);
    replay.signal(SIGTERM);
    EXPECT_EQ(replay.wait(), 0);
}

TEST(MockserveRecord, WrongArgumentsAreUsageErrors) {
    ChildProcess missing({MOCKSERVE_BINARY, "record"});
    EXPECT_EQ(missing.wait(), 2);
    EXPECT_THAT(missing.read_stderr(), HasSubstr("mockserve record: the option '--target' is required"));

    ChildProcess ftp({MOCKSERVE_BINARY, "record", "--target", "ftp://example.com"});
    EXPECT_EQ(ftp.wait(), 2);
    EXPECT_THAT(ftp.read_stderr(), HasSubstr("proxy = ftp://example.com: a proxy URL starts with http:// or https://"));

    ChildProcess port({MOCKSERVE_BINARY, "record", "--target", "http://127.0.0.1:1", "--port", "70000"});
    EXPECT_EQ(port.wait(), 2);
    EXPECT_THAT(port.read_stderr(), HasSubstr("--port is a port, 0-65535"));
}

}  // namespace
}  // namespace mockserve
