// The same requests to `python3 -m http.server --cgi` and to `mockserve
// --cgi`, on the same tree: status, the headers that matter and the body
// must agree wherever the two are meant to (not where mockserve goes
// beyond Python: script redirects, ETag, ranges).
#include "support/child_process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <chrono>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace mockserve {
namespace {

using test_support::ChildProcess;
using test_support::RawResponse;

std::uint16_t port_from_banner(const std::optional<std::string>& line) {
    std::smatch m;
    if (!line || !std::regex_search(*line, m, std::regex(R"(port (\d+) )"))) return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// python3 as the PATH finds it, or "" when there is none.
std::string find_python() {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/bin:/bin";
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::filesystem::path candidate = std::filesystem::path(dirs.substr(0, colon)) / "python3";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
    }
    return {};
}

class PythonComparison : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        python_binary = find_python();
        if (python_binary.empty()) return;
        tree = new test_support::TempDir;
        namespace fs = std::filesystem;
        fs::copy(std::string(MOCKSERVE_FIXTURES) + "/site", tree->path(), fs::copy_options::recursive);
        fs::copy(std::string(MOCKSERVE_FIXTURES) + "/cgi-bin", tree->path() / "cgi-bin", fs::copy_options::recursive);
        ::chmod(tree->path().c_str(), 0755);  // "nobody" runs the scripts
        python = new ChildProcess({python_binary, "-u", "-m", "http.server", "--cgi", "--bind", "127.0.0.1",
                                   "--directory", tree->str(), "0"});
        mockserve = new ChildProcess({MOCKSERVE_BINARY, "--cgi", "--quiet", "--directory", tree->str(), "0"});
        // Generous: Python's start-up on a loaded CI machine (sanitizer
        // builds beside it) took over the default 10 s here once.
        python_port = port_from_banner(python->read_line(std::chrono::seconds(60)));
        mockserve_port = port_from_banner(mockserve->read_line(std::chrono::seconds(60)));
    }
    static void TearDownTestSuite() {
        delete python;
        delete mockserve;
        delete tree;
    }
    void SetUp() override {
        if (python_binary.empty()) GTEST_SKIP() << "python3 is not on the PATH: nothing to compare with";
        ASSERT_NE(python_port, 0) << "python3 -m http.server did not start";
        ASSERT_NE(mockserve_port, 0) << "mockserve did not start";
    }

    // Python 3.11 answers HTTP/1.0 and closes; so both are asked that way.
    static std::pair<std::optional<RawResponse>, std::optional<RawResponse>> both(const std::string& method,
                                                                                  const std::string& target,
                                                                                  const std::string& extra = "",
                                                                                  const std::string& body = "") {
        std::string request = method + " " + target + " HTTP/1.0\r\n" + extra;
        if (!body.empty()) request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        request += "\r\n" + body;
        return {test_support::exchange(python_port, request, method == "HEAD"),
                test_support::exchange(mockserve_port, request, method == "HEAD")};
    }
    static void expect_same(const std::string& method, const std::string& target,
                            const std::vector<std::string>& headers, const std::string& extra = "",
                            const std::string& body = "") {
        const auto [py, ms] = both(method, target, extra, body);
        ASSERT_TRUE(py && ms) << target;
        EXPECT_EQ(ms->status, py->status) << method << " " << target;
        EXPECT_EQ(ms->reason, py->reason) << method << " " << target;
        for (const auto& name : headers)
            EXPECT_EQ(ms->header(name), py->header(name)) << method << " " << target << " " << name;
        EXPECT_EQ(ms->body, py->body) << method << " " << target;
    }

    static inline test_support::TempDir* tree = nullptr;
    static inline ChildProcess* python = nullptr;
    static inline ChildProcess* mockserve = nullptr;
    static inline std::string python_binary;
    static inline std::uint16_t python_port = 0;
    static inline std::uint16_t mockserve_port = 0;
};

TEST_F(PythonComparison, Files) {
    for (const std::string target : {"/", "/index.html", "/docs/data.json", "/docs/with%20space.txt",
                                     "/docs/a%26b.html", "/docs/%3Ctag%3E.txt", "/docs/caf%C3%A9.txt",
                                     "/docs/Upper.PNG", "/docs/random.bin", "/with-index-htm/"}) {
        expect_same("GET", target, {"Content-type", "Content-Length", "Last-Modified"});
    }
    expect_same("HEAD", "/index.html", {"Content-type", "Content-Length", "Last-Modified"});
}

TEST_F(PythonComparison, ListingsAndRedirects) {
    expect_same("GET", "/docs/", {"Content-type", "Content-Length"});
    expect_same("GET", "/docs/nested/", {"Content-type", "Content-Length"});
    expect_same("GET", "/docs?x=1", {"Location", "Content-Length"});
}

TEST_F(PythonComparison, Errors) {
    expect_same("GET", "/missing.txt", {"Content-Type", "Content-Length", "Connection"});
    expect_same("GET", "/docs/data.json/", {"Content-Type", "Connection"});
    expect_same("POST", "/docs/data.json", {"Content-Type", "Connection"}, "", "x");
    expect_same("SPAM", "/", {"Content-Type", "Connection"});
    expect_same("GET", "/cgi-bin/missing.sh", {"Content-Type"});
    expect_same("GET", "/cgi-bin/not-executable.sh", {"Content-Type"});
}

TEST_F(PythonComparison, ConditionalGet) {
    const auto [py, ms] = both("GET", "/index.html");
    ASSERT_TRUE(py && ms);
    expect_same("GET", "/index.html", {}, "If-Modified-Since: " + *py->header("Last-Modified") + "\r\n");
    expect_same("GET", "/index.html", {"Content-Length"}, "If-Modified-Since: not a date\r\n");
}

TEST_F(PythonComparison, CgiScripts) {
    expect_same("GET", "/cgi-bin/hello.sh", {"Content-Type"});
    expect_same("GET", "/cgi-bin/sub/nested.sh/a/b?x=y", {"Content-Type"});
    expect_same("POST", "/cgi-bin/echo.py", {"Content-Type", "X-Body-Length"}, "", "some posted bytes");
    expect_same("GET", "//cgi-bin/hello.sh", {"Content-Type"});
}

}  // namespace
}  // namespace mockserve
