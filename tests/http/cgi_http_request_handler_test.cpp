// CGIHTTPRequestHandler over real sockets, with the scripts in fixtures/cgi-bin.
#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/certificate_authority.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/https_server.hpp>

#include "support/log_capture.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <map>
#include <sstream>
#include <tuple>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pwd.h>
#include <unistd.h>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using mockserve::test_support::LogCapture;
using mockserve::test_support::RawClient;
using mockserve::test_support::RawResponse;
using mockserve::test_support::TempDir;

// The fixtures, copied where user "nobody" can reach them: a root server
// runs scripts as nobody, and the checkout may sit below a private folder.
struct CgiTree {
    // `reachable` false: the folder stays 0700 (mkdtemp's), as every
    // `mktemp -d` folder is, which user nobody cannot enter.
    explicit CgiTree(bool reachable = true) {
        std::filesystem::copy(std::string(MOCKSERVE_FIXTURES) + "/cgi-bin", tmp.path() / "cgi-bin",
                              std::filesystem::copy_options::recursive);
        if (reachable) ::chmod(tmp.path().c_str(), 0755);
        tmp.write("outside.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nOUTSIDE-%s\\n' RAN\n");
        ::chmod((tmp.path() / "outside.sh").c_str(), 0755);
        tmp.write("page.txt", "a static page\n");
    }
    TempDir tmp;
};

struct CgiServer {
    explicit CgiServer(Limits limits = {}, bool verbatim = false, std::string cgi_user = {}, bool reachable = true)
        : tree(reachable),
          server({"127.0.0.1", 0},
                 [this, verbatim, cgi_user] {
                     auto h = std::make_unique<CGIHTTPRequestHandler>(tree.tmp.str());
                     h->protocol_version = "HTTP/1.1";
                     h->cgi_verbatim = verbatim;
                     h->cgi_user = cgi_user;
                     return h;
                 },
                 limits) {
        server.set_log_sink(log.sink());
        server.start();
    }
    std::optional<RawResponse> request(const std::string& method, const std::string& target,
                                       const std::string& extra = "", const std::string& body = "") {
        std::string text = method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + extra;
        if (!body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        return test_support::exchange(server.server_port, text + "\r\n" + body, method == "HEAD");
    }
    std::optional<RawResponse> get(const std::string& target, const std::string& extra = "") {
        return request("GET", target, extra);
    }
    CgiTree tree;
    LogCapture log;
    HTTPServer server;
};

std::map<std::string, std::string> parse_env(const std::string& body) {
    std::map<std::string, std::string> env;
    std::istringstream lines(body);
    std::string line;
    while (std::getline(lines, line))
        if (const auto eq = line.find('='); eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    return env;
}

TEST(CGIHTTPRequestHandler, RunsAScript) {
    CgiServer s;
    auto r = s.get("/cgi-bin/hello.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Content-Type"), "text/plain");
    EXPECT_EQ(r->body, "Hello from CGI\n");
    EXPECT_TRUE(r->header("Server"));
    EXPECT_TRUE(r->header("Date"));
    auto head = s.request("HEAD", "/cgi-bin/hello.sh");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->body, "");
}

// The user the scripts of a default server run as: Python's rule.
std::string script_user() {
    if (::geteuid() == 0) return "nobody";
    passwd* entry = ::getpwuid(::geteuid());
    return entry ? entry->pw_name : "?";
}

TEST(CGIHTTPRequestHandler, AScriptThatCannotBeRunSaysWhoAndWhy) {
    CgiServer s;
    s.tree.tmp.write("cgi-bin/lost.sh", "#!/nonexistent/interpreter\n");
    ::chmod((s.tree.tmp.path() / "cgi-bin/lost.sh").c_str(), 0755);
    auto r = s.get("/cgi-bin/lost.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 502);
    const std::string why = "cannot execute cgi-bin/lost.sh as user " + script_user() +
                            ": No such file or directory (its interpreter /nonexistent/interpreter does not exist)";
    EXPECT_THAT(r->body, HasSubstr(why));
    EXPECT_THAT(s.log.wait_for(why), HasSubstr(why));
    EXPECT_THAT(s.log.lines(), Not(::testing::Contains(HasSubstr("exit code"))));
}

TEST(CGIHTTPRequestHandler, AsRootAPrivateFolderIsNamedAsTheCause) {
    if (::geteuid() != 0) GTEST_SKIP() << "scripts change user only when the server runs as root";
    CgiServer s({}, false, {}, /*reachable=*/false);
    auto r = s.get("/cgi-bin/hello.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 502);
    const std::string why = "cannot enter the folder of cgi-bin/hello.sh as user nobody: Permission denied (its folder " +
                            s.tree.tmp.str() + " is not searchable by nobody)";
    EXPECT_THAT(r->body, HasSubstr(why));
    EXPECT_THAT(s.log.wait_for(why), HasSubstr(why));

    // cgi_user = "current": the server's own user, who can.
    CgiServer own({}, false, "current", /*reachable=*/false);
    auto ran = own.get("/cgi-bin/hello.sh");
    ASSERT_TRUE(ran);
    EXPECT_EQ(ran->status, 200) << ran->body;
}

TEST(CGIHTTPRequestHandler, AnUnknownCgiUserIs500) {
    CgiServer s({}, false, "no-such-user-here");
    auto r = s.get("/cgi-bin/hello.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_THAT(s.log.wait_for("is not a user here"), HasSubstr("cgi_user 'no-such-user-here' is not a user here"));
}

TEST(CGIHTTPRequestHandler, AnEncodedQuestionMarkStaysInPathInfo) {
    // The query is what follows the first '?' as sent; %3F is part of the path.
    CgiServer s;
    for (const auto& [target, path_info, query] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"/cgi-bin/env.sh/a%3Fb?x=1", "/a?b", "x=1"},
                                                                        {"/cgi-bin/env.sh/a%3Fb", "/a?b", ""},
                                                                        {"/cgi-bin/env.sh/a?b=%3F", "/a", "b=%3F"}}) {
        auto r = s.get(target);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << target << ": " << r->body;
        auto env = parse_env(r->body);
        EXPECT_EQ(env["PATH_INFO"], path_info) << target;
        EXPECT_EQ(env["QUERY_STRING"], query) << target;
    }
}

TEST(CGIHTTPRequestHandler, GivesTheRfc3875Environment) {
    CgiServer s;
    auto r = s.get("/cgi-bin/env.sh/extra/path?q=1&r=two",
                   "User-Agent: test-agent\r\nX-Custom: yes\r\nProxy: http://evil.invalid/\r\nX_Custom: sneaky\r\n"
                   "Authorization: Basic dXNlcjpwYXNz\r\nCookie: a=1\r\nCookie: b=2\r\nAccept: text/a\r\n"
                   "Accept: text/b\r\nContent-Type: text/x-test\r\n");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto env = parse_env(r->body);
    EXPECT_THAT(env["SERVER_SOFTWARE"], StartsWith("SimpleHTTP/"));
    EXPECT_EQ(env["SERVER_NAME"], "localhost");
    EXPECT_EQ(env["GATEWAY_INTERFACE"], "CGI/1.1");
    EXPECT_EQ(env["SERVER_PROTOCOL"], "HTTP/1.1");
    EXPECT_EQ(env["SERVER_PORT"], std::to_string(s.server.server_port));
    EXPECT_EQ(env["REQUEST_METHOD"], "GET");
    EXPECT_EQ(env["PATH_INFO"], "/extra/path");
    EXPECT_EQ(env["PATH_TRANSLATED"], s.tree.tmp.str() + "/extra/path");
    EXPECT_EQ(env["SCRIPT_NAME"], "/cgi-bin/env.sh");
    EXPECT_EQ(env["QUERY_STRING"], "q=1&r=two");
    EXPECT_EQ(env["REMOTE_ADDR"], "127.0.0.1");
    EXPECT_EQ(env["REMOTE_HOST"], "127.0.0.1");
    EXPECT_EQ(env["AUTH_TYPE"], "Basic");
    EXPECT_EQ(env["REMOTE_USER"], "user");
    EXPECT_EQ(env["CONTENT_TYPE"], "text/x-test");
    EXPECT_EQ(env["HTTP_USER_AGENT"], "test-agent");
    EXPECT_EQ(env["HTTP_X_CUSTOM"], "yes");  // not overwritten by X_Custom
    EXPECT_EQ(env["HTTP_COOKIE"], "a=1, b=2");
    EXPECT_EQ(env["HTTP_ACCEPT"], "text/a,text/b");
    EXPECT_EQ(env.count("HTTP_PROXY"), 0u);  // httpoxy
    EXPECT_EQ(env.count("HTTP_AUTHORIZATION"), 0u);
    EXPECT_EQ(env["ARGS"], "");  // a query with '=' is no search string
    EXPECT_EQ(env["CWD"], s.tree.tmp.str() + "/cgi-bin");
    if (::geteuid() == 0) {
        EXPECT_EQ(env["UID"], "65534");  // root drops to nobody, as Python does
    }
    EXPECT_THAT(s.log.wait_for("not passed to the script"), HasSubstr("'X_Custom'"));
}

TEST(CGIHTTPRequestHandler, SearchStringBecomesAnArgumentWithoutAShell) {
    CgiServer s;
    auto r = s.get("/cgi-bin/env.sh?one+two;echo%20pwned");
    ASSERT_TRUE(r);
    auto env = parse_env(r->body);
    EXPECT_EQ(env["ARGS"], "one two;echo%20pwned");
    EXPECT_EQ(env["QUERY_STRING"], "one+two;echo%20pwned");
}

TEST(CGIHTTPRequestHandler, NestedFoldersGiveScriptNameAndPathInfo) {
    CgiServer s;
    auto r = s.get("/cgi-bin/sub/nested.sh/a/b?x=y");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "SCRIPT_NAME=/cgi-bin/sub/nested.sh\nPATH_INFO=/a/b\nQUERY_STRING=x=y\n");
}

TEST(CGIHTTPRequestHandler, PostBodyReachesTheScript) {
    CgiServer s;
    auto r = s.request("POST", "/cgi-bin/echo.py", "", "posted data");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("X-Body-Length"), "11");
    EXPECT_EQ(r->body, "posted data");
    auto chunked = test_support::exchange(s.server.server_port,
                                     "POST /cgi-bin/echo.py HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     "4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->body, "abcdef");
}

// A request without a body gives the script an input that ends at once,
// whatever it reads: a script that reads to the end does not wait.
TEST(CGIHTTPRequestHandler, ScriptsOfRequestsWithoutABodyReadAnEmptyInput) {
    CgiServer s;
    auto get = s.get("/cgi-bin/echo.py");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 200);
    EXPECT_EQ(get->header("X-Body-Length"), "0");
    auto empty = test_support::exchange(s.server.server_port,
                                        "POST /cgi-bin/echo.py HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                                        "Connection: close\r\n\r\n");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->header("X-Body-Length"), "0");
    auto chunked = test_support::exchange(s.server.server_port,
                                          "POST /cgi-bin/echo.py HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                          "Connection: close\r\n\r\n0\r\n\r\n");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->header("X-Body-Length"), "0");
    // No pipe is made for an input that cannot come: the script reads
    // /dev/null; a body still comes through a pipe.
    auto without = s.get("/cgi-bin/stdin.sh");
    ASSERT_TRUE(without);
    EXPECT_EQ(without->body, "null\n");
    auto with = s.request("POST", "/cgi-bin/stdin.sh", "", "a body");
    ASSERT_TRUE(with);
    EXPECT_EQ(with->body, "pipe\n");
}

TEST(CGIHTTPRequestHandler, LargeBodiesStreamBothWays) {
    CgiServer s;
    std::string body(4 << 20, 'b');
    for (std::size_t i = 0; i < body.size(); i += 4096) body[i] = static_cast<char>('a' + (i / 4096) % 26);
    auto echoed = s.request("POST", "/cgi-bin/echo.py", "", body);
    ASSERT_TRUE(echoed);
    EXPECT_EQ(echoed->header("X-Body-Length"), std::to_string(body.size()));
    EXPECT_TRUE(echoed->body == body) << "echoed body differs";
    // Writes a megabyte before it reads: neither side may wait on the other.
    auto early = s.request("POST", "/cgi-bin/write-before-read.sh", "", std::string(2 << 20, 'x'));
    ASSERT_TRUE(early);
    EXPECT_EQ(early->body.size(), 1u << 20);
    auto ignored = s.request("POST", "/cgi-bin/never-reads.sh", "", std::string(4 << 20, 'x'));
    ASSERT_TRUE(ignored);
    EXPECT_EQ(ignored->body, "ignored the body\n");
}

TEST(CGIHTTPRequestHandler, StatusAndLocationHeadersAreHonoured) {
    CgiServer s;
    auto status = s.get("/cgi-bin/status.sh");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, 418);
    EXPECT_EQ(status->reason, "Short and stout");
    EXPECT_EQ(status->header("X-Script"), "status");
    EXPECT_EQ(status->body, "teapot\n");
    auto redirect = s.get("/cgi-bin/redirect.sh");
    ASSERT_TRUE(redirect);
    EXPECT_EQ(redirect->status, 302);
    EXPECT_EQ(redirect->header("Location"), "http://example.invalid/moved");
}

TEST(CGIHTTPRequestHandler, OutputWithoutHeaderBlockIs502) {
    CgiServer s;
    auto r = s.get("/cgi-bin/no-header.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 502);
    EXPECT_THAT(s.log.wait_for("gave no valid header block"), HasSubstr("not a header line"));
}

TEST(CGIHTTPRequestHandler, FailingScriptIsLoggedWithItsStandardError) {
    CgiServer s;
    auto r = s.get("/cgi-bin/fail.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "partial\n");
    EXPECT_NE(s.log.wait_for("something went wrong"), "");
    EXPECT_NE(s.log.wait_for("CGI script exit code 3"), "");
}

TEST(CGIHTTPRequestHandler, StandardErrorFloodNeitherBlocksNorGrowsWithoutBound) {
    CgiServer s;
    auto r = s.get("/cgi-bin/stderr-flood.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "done\n");
    const auto line = s.log.wait_for("stderr-flood.sh: eee");
    EXPECT_LT(line.size(), 5000u);
}

TEST(CGIHTTPRequestHandler, HungScriptIsKilledAnd504) {
    Limits limits;
    limits.cgi_timeout = std::chrono::milliseconds(300);
    CgiServer s(limits);
    auto r = s.get("/cgi-bin/hang.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 504);
    EXPECT_NE(s.log.wait_for("timed out after 300 ms"), "");
}

// Reads from `client` until `text` has arrived.
void read_until(RawClient& client, const std::string& text) {
    std::string seen;
    char buffer[4096];
    while (seen.find(text) == std::string::npos) {
        const auto n = ::recv(client.fd(), buffer, sizeof buffer, 0);
        ASSERT_GT(n, 0) << seen;
        seen.append(buffer, static_cast<std::size_t>(n));
    }
}

TEST(CGIHTTPRequestHandler, StreamsOutputAsTheScriptWritesIt) {
    Limits limits;
    limits.body_buffer_size = 4;  // the handler runs before the body is complete
    CgiServer s(limits);
    RawClient client(s.server.server_port);
    client.send("POST /cgi-bin/stream.sh HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
    // "first" arrives while the script still waits for the rest of the body.
    std::string seen;
    char buffer[4096];
    while (seen.find("first\n") == std::string::npos) {
        const auto n = ::recv(client.fd(), buffer, sizeof buffer, 0);
        ASSERT_GT(n, 0) << seen;
        seen.append(buffer, static_cast<std::size_t>(n));
    }
    EXPECT_THAT(seen, HasSubstr("Transfer-Encoding: chunked"));
    client.send("67890");
    read_until(client, "second\n");
}

TEST(CGIHTTPRequestHandler, ClientThatLeavesStopsItsScript) {
    CgiServer s;
    {
        RawClient client(s.server.server_port);
        client.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: x\r\n\r\n");
        read_until(client, "started\n");  // the script runs; now the client leaves
    }
    EXPECT_NE(s.log.wait_for("the client went away"), "");
}

TEST(CGIHTTPRequestHandler, ErrorsLikePython) {
    CgiServer s;
    auto missing = s.get("/cgi-bin/missing.sh");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->reason, "No such CGI script ('/cgi-bin/missing.sh')");
    auto not_executable = s.get("/cgi-bin/not-executable.sh");
    ASSERT_TRUE(not_executable);
    EXPECT_EQ(not_executable->status, 403);
    EXPECT_EQ(not_executable->reason, "CGI script is not executable ('/cgi-bin/not-executable.sh')");
    auto folder = s.get("/cgi-bin/sub");
    ASSERT_TRUE(folder);
    EXPECT_EQ(folder->status, 403);
    auto post = s.request("POST", "/page.txt", "", "x");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 501);
    EXPECT_EQ(post->reason, "Can only POST to CGI scripts");
    auto page = s.get("/page.txt");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->body, "a static page\n");
}

TEST(CGIHTTPRequestHandler, PathTricksNeitherRunNorRevealAnything) {
    CgiServer s;
    for (const std::string target :
         {"//cgi-bin/hello.sh", "/cgi-bin/./hello.sh", "/./cgi-bin/hello.sh", "/x/../cgi-bin/hello.sh",
          "/cgi-bin%2fhello.sh", "/cgi-bin/..%2fcgi-bin/hello.sh", "/cgi-bin/%2e%2e/outside.sh",
          "/cgi-bin/../outside.sh", "/cgi-bin/../../outside.sh", "/cgi-bin%2f..%2foutside.sh", "cgi-bin/hello.sh",
          "/cgi-bin/sub/../hello.sh", "/cgi-bin/hello.sh%00.txt", "/htbin/../cgi-bin/hello.sh",
          "/../cgi-bin/hello.sh", "/cgi-bin/%2e%2e/%2e%2e/cgi-bin/hello.sh", "/cgi-bin\\hello.sh"}) {
        auto r = s.get(target);
        ASSERT_TRUE(r) << target;
        EXPECT_THAT(r->body, Not(HasSubstr("Hello from CGI\\n"))) << target;  // hello.sh's source
        EXPECT_THAT(r->body, Not(HasSubstr("OUTSIDE-RAN"))) << target;      // outside.sh's output
    }
    auto collapsed = s.get("//cgi-bin/hello.sh");
    ASSERT_TRUE(collapsed);
    EXPECT_EQ(collapsed->body, "Hello from CGI\n");
}

TEST(CGIHTTPRequestHandler, ScriptsGetOnlyTheirStandardDescriptors) {
    CgiServer s;
    auto r = s.get("/cgi-bin/fds.sh");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "checked\n");  // no "open N" line: the server's sockets stayed behind
}

// The server reads its pipes without blocking; the script's ends block, as
// any program expects of its standard streams. The signals the server
// ignores (SIGPIPE) are the script's default again.
TEST(CGIHTTPRequestHandler, ScriptsGetBlockingStreamsAndDefaultSignals) {
    CgiServer s;
    auto r = s.get("/cgi-bin/streams.sh");
    ASSERT_TRUE(r);
    std::istringstream lines(r->body);
    std::map<std::string, unsigned long long> seen;
    std::string name, value;
    while (lines >> name >> value) seen[name] = std::stoull(value, nullptr, name == "ignored" ? 16 : 8);
    for (const std::string fd : {"0", "1", "2"}) {
        ASSERT_TRUE(seen.count(fd)) << r->body;
        EXPECT_EQ(seen[fd] & O_NONBLOCK, 0u) << "descriptor " << fd << " of the script is non-blocking";
    }
    ASSERT_TRUE(seen.count("ignored")) << r->body;
    EXPECT_EQ(seen["ignored"] & (1ull << (SIGPIPE - 1)), 0u) << "SIGPIPE is ignored in the script";
    EXPECT_EQ(seen["ignored"] & (1ull << (SIGXFSZ - 1)), 0u) << "SIGXFSZ is ignored in the script";
}

TEST(CGIHTTPRequestHandler, IsPythonAndIsExecutable) {
    CgiTree tree;
    CGIHTTPRequestHandler h(tree.tmp.str());
    EXPECT_TRUE(h.is_python("/cgi-bin/echo.py"));
    EXPECT_TRUE(h.is_python("/x/script.PYW"));
    EXPECT_FALSE(h.is_python("/cgi-bin/hello.sh"));
    EXPECT_FALSE(h.is_python("/dir.py/script"));
    EXPECT_TRUE(h.is_executable((tree.tmp.path() / "cgi-bin" / "hello.sh").string()));
    EXPECT_EQ(h.cgi_directories, (std::vector<std::string>{"/cgi-bin", "/htbin"}));
}

TEST(CGIHTTPRequestHandler, VerbatimModeIsPythons) {
    CgiServer s({}, true);
    RawClient client(s.server.server_port);
    client.send("GET /cgi-bin/hello.sh HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto all = client.read_to_close();
    EXPECT_THAT(all, StartsWith("HTTP/1.1 200 Script output follows\r\nServer: "));
    EXPECT_THAT(all, HasSubstr("\r\nContent-Type: text/plain\n\nHello from CGI\n"));
}

TEST(CGIHTTPRequestHandler, ScriptsNeverBlockOtherConnectionsNorLeaveZombies) {
    Limits limits;
    limits.threads = 1;
    limits.cgi_timeout = std::chrono::milliseconds(2000);
    CgiServer s(limits);
    RawClient slow(s.server.server_port);
    slow.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: x\r\n\r\n");
    read_until(slow, "started\n");  // its script runs, and will for 2 s
    for (int i = 0; i < 5; ++i) {
        auto r = s.get("/cgi-bin/hello.sh");
        ASSERT_TRUE(r);
        EXPECT_EQ(r->body, "Hello from CGI\n");
    }
    EXPECT_TRUE(slow.closed_by_server());  // cut at cgi_timeout, its answer unfinished
    EXPECT_NE(s.log.wait_for("timed out after 2000 ms"), "");
    int status = 0;
    EXPECT_LE(::waitpid(-1, &status, WNOHANG), 0) << "a script was left unreaped";
}

TEST(CgiOverHttps, ScriptsSeeHttpsOnAndTheHttpsScheme) {
    CgiTree tree;
    const auto authority = CertificateAuthority::generate();
    const auto leaf = authority.issue_server_certificate({"localhost"});
    TlsOptions tls;
    tls.cert_pem = leaf.certificate_pem;
    tls.key_pem = leaf.private_key_pem;
    HTTPSServer server({"127.0.0.1", 0},
                       [&tree] {
                           auto h = std::make_unique<CGIHTTPRequestHandler>(tree.tmp.str());
                           h->protocol_version = "HTTP/1.1";
                           return h;
                       },
                       tls);
    server.quiet();
    server.start();
    test_support::TlsClientOptions client;
    client.trusted_ca_pem = authority.certificate_pem();
    const auto response = test_support::tls_get(server.server_port, "/cgi-bin/env.sh", client);
    EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
    EXPECT_THAT(response, HasSubstr("\nHTTPS=on\n"));
    EXPECT_THAT(response, HasSubstr("\nREQUEST_SCHEME=https\n"));
    EXPECT_THAT(response, HasSubstr("\nSSL_TLS_SNI=localhost\n"));
}

}  // namespace
}  // namespace mockserve::http
