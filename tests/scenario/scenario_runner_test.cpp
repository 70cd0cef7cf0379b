// ScenarioRunner over real sockets: routes, actions, faults, the journal,
// expectations, the builder.
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <set>
#include "support/tls_client.hpp"

#include <fstream>
#include <sys/socket.h>
#include <sys/stat.h>

namespace mockserve::scenario {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using test_support::RawClient;

const std::filesystem::path kScenarios = MOCKSERVE_SCENARIOS;

Scenario from_text(const std::string& text) {
    auto result = parse_scenario(text, "test.ini", kScenarios);
    if (!result.ok()) throw std::runtime_error(::testing::PrintToString(result.errors));
    return std::move(*result.scenario);
}

bool any_request(const RecordedRequest&) { return true; }

std::optional<test_support::RawResponse> send(const ScenarioRunner& runner, const std::string& server,
                                         const std::string& request) {
    return test_support::exchange(runner.port(server), request);
}

TEST(ScenarioRunner, CannedResponsesFollowTheirRoutes) {
    ScenarioRunner runner(load_scenario(kScenarios / "checkout.ini").scenario.value());
    auto created = send(runner, "api",
                        "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: 35\r\n\r\n{ \"currency\": \"EUR\", \"amount\":1200}");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201);
    EXPECT_EQ(created->header("Location"), "/v1/payments/pay_123");
    EXPECT_EQ(created->body, R"({"id": "pay_123", "status": "pending"})");
    auto wrong_json = send(runner, "api",
                           "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: 15\r\n\r\n{\"amount\": 999}");
    ASSERT_TRUE(wrong_json);
    EXPECT_EQ(wrong_json->status, 404);
    EXPECT_THAT(wrong_json->body, HasSubstr("create-payment (line 7): JSON body is"));
    // Both POSTs count for "one-payment" (count = 1): it fails, and says which.
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.to_string(), HasSubstr("got 2\n         requests that matched:\n"
                                              "           #1 POST /v1/payments (server api, route create-payment, 201)\n"
                                              "           #2 POST /v1/payments (server api, route none, 404)\n"));
}

TEST(ScenarioRunner, EachMatchingConditionOverTheWire) {
    ScenarioRunner runner(from_text("[server s]\n"
                                    "[route s by-method]\nrequest = DELETE /things/1\nresponse = 204\n"
                                    "[route s by-query]\nrequest = GET /q\nrequest.query = page=2\nresponse = 200\n"
                                    "[route s by-header]\nrequest = GET /h\nrequest.header = X-Mode: test\nresponse = 200\n"
                                    "[route s by-presence]\nrequest = GET /h\nrequest.header = X-Mode: *\nresponse = 200\n"
                                    "[route s by-body]\nrequest = POST /b\nrequest.body = exact\nresponse = 200\n"
                                    "[route s by-contains]\nrequest = POST /b\nrequest.body_contains = needle\nresponse = 200\n"
                                    "[route s by-regex]\nrequest = POST /b\nrequest.body_regex = ^[0-9]+$\nresponse = 200\n"
                                    "[route s by-json]\nrequest = POST /b\nrequest.json = {\"a\": [1, 2]}\nresponse = 200\n"
                                    "[route s by-prefix]\nrequest = GET|HEAD /files/*\nresponse = 200\n"
                                    "[route s by-regex-path]\nrequest = ~ ^/items/[0-9]+$\nresponse = 200\n"));
    const auto post = [&](const std::string& body) {
        return send(runner, "s", "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    };
    ASSERT_TRUE(send(runner, "s", "DELETE /things/1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "GET /q?page=2 HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "GET /q?page=3 HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "GET /h HTTP/1.1\r\nHost: x\r\nx-mode: test\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "GET /h HTTP/1.1\r\nHost: x\r\nX-Mode: live\r\n\r\n"));
    ASSERT_TRUE(post("exact"));
    ASSERT_TRUE(post("a haystack with a needle"));
    ASSERT_TRUE(post("12345"));
    ASSERT_TRUE(post("{ \"a\" : [1,2] }"));
    ASSERT_TRUE(post("none of these"));
    ASSERT_TRUE(send(runner, "s", "HEAD /files/a/b.txt HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "GET /items/42 HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::vector<std::string> routes;
    for (const auto& entry : runner.journal().entries()) routes.push_back(entry.route.value_or("(none)"));
    EXPECT_EQ(routes, (std::vector<std::string>{"by-method", "by-query", "(none)", "by-header", "by-presence", "by-body",
                                                "by-contains", "by-regex", "by-json", "(none)", "by-prefix",
                                                "by-regex-path"}));
}

TEST(ScenarioRunner, DelayHoldsTheAnswerBack) {
    ScenarioRunner runner(load_scenario(kScenarios / "checkout.ini").scenario.value());
    const auto before = std::chrono::steady_clock::now();
    auto r = send(runner, "api", "GET /v1/payments/pay_123 HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto elapsed = std::chrono::steady_clock::now() - before;
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_THAT(r->body, HasSubstr("\"currency\": \"EUR\""));
    EXPECT_GE(elapsed, std::chrono::milliseconds(150));
}

TEST(ScenarioRunner, Faults) {
    ScenarioRunner runner(load_scenario(kScenarios / "unreliable-upstream.ini").scenario.value());
    const auto port = runner.port("upstream");
    {
        RawClient client(port);
        client.send("GET /reset HTTP/1.1\r\nHost: x\r\n\r\n");
        char c;
        EXPECT_EQ(::recv(client.fd(), &c, 1, 0), -1);
        EXPECT_EQ(errno, ECONNRESET);
    }
    {
        RawClient client(port);
        client.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
        EXPECT_EQ(client.read_to_close(), "");
    }
    {
        RawClient client(port);
        client.send("GET /truncated HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto all = client.read_to_close();
        EXPECT_THAT(all, HasSubstr("Content-Length: 42\r\n"));
        EXPECT_THAT(all, ::testing::EndsWith("\r\n\r\n{\"items\": [1, 2, 3, 4"));  // 21 of 42 bytes
    }
    auto busy = test_support::exchange(port, "GET /busy HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->reason, "Try Later");
    EXPECT_EQ(busy->header("Retry-After"), "1");
    const auto entries = runner.journal().entries();
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].status, 0);  // no answer was sent
    EXPECT_EQ(entries[0].route, "reset");
}

TEST(ScenarioRunner, StaticAndCgiRoutesAreMountedAtTheirPrefix) {
    test_support::TempDir tmp;  // scripts must be reachable by "nobody"
    std::filesystem::copy(std::string(MOCKSERVE_FIXTURES) + "/cgi-bin", tmp.path() / "cgi-bin",
                          std::filesystem::copy_options::recursive);
    ::chmod(tmp.path().c_str(), 0755);
    ScenarioBuilder b("mounts");
    auto& server = b.server("legacy");
    server.route("scripts").request("/scripts/*").serve_cgi((tmp.path() / "cgi-bin").string());
    server.route("site").request("GET|HEAD /site/*").serve_static(std::string(MOCKSERVE_FIXTURES) + "/site");
    ScenarioRunner runner(b.build());
    auto page = send(runner, "legacy", "GET /site/docs/data.json HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->header("Content-type"), "application/json");
    auto redirect = send(runner, "legacy", "GET /site/docs HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(redirect);
    EXPECT_EQ(redirect->header("Location"), "/site/docs/");
    auto script = send(runner, "legacy", "GET /scripts/sub/nested.sh/extra?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(script);
    EXPECT_EQ(script->body, "SCRIPT_NAME=/scripts/sub/nested.sh\nPATH_INFO=/extra\nQUERY_STRING=q=1\n");
    auto posted = send(runner, "legacy", "POST /scripts/echo.py HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->body, "abc");
    const auto entries = runner.journal().entries();
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[3].body, "abc");  // recorded, and still given to the script
}

TEST(ScenarioRunner, JournalRecordsEverythingInOrder) {
    ScenarioRunner runner(from_text("[server s]\n[route s ok]\nrequest = GET /ok\nresponse = 200\nresponse.body = fine\n"));
    ASSERT_TRUE(send(runner, "s", "GET /ok?a=1&b=two+words HTTP/1.1\r\nHost: x\r\nX-Tag: 1\r\nx-tag: 2\r\n\r\n"));
    ASSERT_TRUE(send(runner, "s", "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"));
    ASSERT_TRUE(send(runner, "s", "GET / HTTP/9.9\r\nHost: x\r\n\r\n"));  // refused, recorded all the same
    ASSERT_TRUE(runner.journal().wait_for(any_request, 3, std::chrono::seconds(10)));
    const auto e = runner.journal().entries();
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].sequence, 1u);
    EXPECT_EQ(e[0].server, "s");
    EXPECT_EQ(e[0].route, "ok");
    EXPECT_EQ(e[0].target, "/ok?a=1&b=two+words");
    EXPECT_EQ(e[0].path, "/ok");
    EXPECT_EQ(e[0].query_parameter("b"), "two words");
    EXPECT_EQ(e[0].headers.size(), 3u);
    EXPECT_EQ(e[0].header("X-TAG"), "1");
    EXPECT_EQ(e[0].status, 200);
    EXPECT_GT(e[0].bytes_sent, 4u);
    EXPECT_THAT(e[0].client, StartsWith("127.0.0.1:"));
    EXPECT_FALSE(e[1].route.has_value());
    EXPECT_EQ(e[1].status, 404);
    EXPECT_EQ(e[1].body, "body");
    EXPECT_THAT(e[1].explanation, HasSubstr("No route matched POST /nope"));
    EXPECT_EQ(e[2].status, 505);
    EXPECT_THAT(e[2].explanation, HasSubstr("refused"));
    std::ostringstream printed;
    printed << e[1];
    EXPECT_THAT(printed.str(), StartsWith("POST /nope HTTP/1.1\nHost: x\nContent-Length: 4\n\nbody\n-- #2 on s"));
    const auto jsonl = runner.journal().to_jsonl();
    EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 3);
    EXPECT_THAT(jsonl, HasSubstr(R"("seq":1,"server":"s","route":"ok","method":"GET")"));
    runner.journal().clear();
    EXPECT_EQ(runner.journal().size(), 0u);
}

TEST(ScenarioRunner, ACallbackThatThrowsIsRecordedWithItsRouteAndA500) {
    ScenarioBuilder b("throws");
    b.server("s").route("boom").request("GET /boom").answer_with([](const RecordedRequest&) -> CannedResponse {
        throw std::runtime_error("the callback failed");
    });
    ScenarioRunner runner(b.build());
    auto answer = send(runner, "s", "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 500);
    const auto e = runner.journal().entries();
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].route, "boom");
    EXPECT_EQ(e[0].status, 500);
    EXPECT_EQ(e[0].target, "/boom");
    EXPECT_EQ(e[0].explanation, "");
}

TEST(ScenarioRunner, JournalLosesNothingUnderConcurrentLoad) {
    ScenarioRunner runner(from_text("[server s]\n[route s hit]\nrequest = /hit/*\nresponse = 200\nresponse.body = ok\n"));
    constexpr int kClients = 16;
    constexpr int kRequests = 1000;
    std::vector<std::future<int>> clients;
    for (int c = 0; c < kClients; ++c) {
        clients.push_back(std::async(std::launch::async, [&, c] {
            RawClient client(runner.port("s"));
            int ok = 0;
            for (int i = 0; i < kRequests; ++i) {
                client.send("GET /hit/" + std::to_string(c) + "/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                if (auto r = client.read_response(); r && r->status == 200) ++ok;
            }
            return ok;
        }));
    }
    int answered = 0;
    for (auto& c : clients) answered += c.get();
    EXPECT_EQ(answered, kClients * kRequests);
    ASSERT_TRUE(runner.journal().wait_for(any_request, kClients * kRequests, std::chrono::seconds(30)));
    const auto entries = runner.journal().entries();
    ASSERT_EQ(entries.size(), static_cast<std::size_t>(kClients * kRequests));
    std::set<std::string> targets;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].sequence, i + 1);
        targets.insert(entries[i].target);
    }
    EXPECT_EQ(targets.size(), static_cast<std::size_t>(kClients * kRequests));
}

TEST(ScenarioRunner, JournalOffServesButRecordsNothing) {
    ScenarioRunner runner(from_text("[scenario]\njournal = off\n[server s]\n[route s any]\nresponse = 204\n"));
    RawClient client(runner.port("s"));
    for (int i = 0; i < 3; ++i) {
        client.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 204);
    }
    client.send("GET / HTTP/1.1\r\n\r\n");  // refused (no Host): not recorded either
    ASSERT_TRUE(client.read_response());
    EXPECT_EQ(runner.journal().size(), 0u);
}

TEST(ScenarioRunner, JournalMemoryIsBounded) {
    ScenarioRunner runner(from_text("[scenario]\njournal_max_body_bytes = 8\njournal_max_bytes = 65536\n"
                                    "[server s]\n[route s any]\nresponse = 204\n"));
    RawClient client(runner.port("s"));
    const std::string body(100, 'b');
    for (int i = 0; i < 300; ++i) {
        client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + body);
        ASSERT_TRUE(client.read_response());
    }
    // Each exchange is recorded before its answer leaves: the 300th is in.
    const auto entries = runner.journal().entries();
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.back().sequence, 300u);
    EXPECT_EQ(entries.back().body, "bbbbbbbb");
    EXPECT_TRUE(entries.back().body_truncated);
    EXPECT_EQ(entries.back().body_size, 100u);
    EXPECT_GT(runner.journal().dropped_entries(), 0u);
    EXPECT_LT(entries.size(), 300u);
}

TEST(ScenarioRunner, VerifyListsTheClosestRequests) {
    ScenarioRunner runner(from_text("[server s]\n[route s any]\nresponse = 200\n"
                                    "[expect s paid]\nrequest = POST /pay\nrequest.json = {\"amount\": 5}\ncount = 1\n"
                                    "[expect s no-deletes]\nrequest = DELETE /*\ncount = 0\n"));
    ASSERT_TRUE(send(runner, "s", "POST /pay HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\n\r\n{\"amount\": 6}"));
    const auto report = runner.verify();
    EXPECT_FALSE(report.passed());
    EXPECT_THAT(report.to_string(), HasSubstr("expectations: 1 passed, 1 failed\n"
                                              "  FAILED s paid (line 4): exactly 1 request(s) matching POST /pay, got 0\n"
                                              "         closest requests to s:\n"
                                              "           #1 POST /pay (server s, route any, 200): JSON body is "
                                              "\"{\"amount\":6}\", expected \"{\"amount\":5}\"\n"
                                              "  ok     s no-deletes (line 8)"));
}

TEST(ScenarioRunner, AnAbsoluteFormTargetMatchesRoutesByItsPath) {
    // What a client configured to use mockserve as its proxy sends.
    ScenarioBuilder b("proxied");
    b.server("api").route("users").request("GET /users").response(200).response_body("[]");
    ScenarioRunner runner(b.build());
    auto r = send(runner, "api", "GET http://users.example/users?page=2 HTTP/1.1\r\nHost: users.example\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    const auto entries = runner.journal().entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].route, "users");
    EXPECT_EQ(entries[0].path, "/users");
    EXPECT_EQ(entries[0].header("Host"), "users.example");
}

TEST(ScenarioRunner, BuilderMirrorsTheFile) {
    ScenarioBuilder b("built");
    b.server("api")
        .route("create")
        .request("POST /v1/payments")
        .request_header("Content-Type", "application/json")
        .request_json(R"({"amount": 1200})")
        .response(201)
        .response_header("Content-Type", "application/json")
        .response_body(R"({"id": "pay_1"})");
    b.expect("api", "one").request("POST /v1/payments").count("1");
    ScenarioRunner runner(b.build());  // every server listens once this returns
    // ... the code under test talks to runner.url("api") ...
    auto r = send(runner, "api",
                  "POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
                  "{\"amount\": 1200}");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201);
    EXPECT_TRUE(runner.verify().passed()) << runner.verify();

    ScenarioBuilder bad;
    bad.server("s").route("nothing").request("GET /x");
    bad.server("s").route("both").request("GET /y").response(200).serve_static(".");
    bad.expect("ghost", "e").count("lots");
    bad.server("s").route("names").request("GET /z").request_header("Bad Name", "1").response(200).response_header(
        "X:Y", "2");
    bad.server("s").route("split").request("GET /s").response(200).response_reason("OK\r\nX-Evil: 1").response_header(
        "X-A", "a\nb");
    try {
        (void)bad.build();
        FAIL() << "build() accepted a broken scenario";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("route s nothing: no action"));
        EXPECT_THAT(e.what(), HasSubstr("route s both: two actions"));
        EXPECT_THAT(e.what(), HasSubstr("expect ghost e: count is N, >=N or <=N"));
        EXPECT_THAT(e.what(), HasSubstr("no server named ghost"));
        EXPECT_THAT(e.what(), HasSubstr("route s names: request.header name 'Bad Name' is not a token"));
        EXPECT_THAT(e.what(), HasSubstr("route s names: response.header name 'X:Y' is not a token"));
        EXPECT_THAT(e.what(), HasSubstr("route s split: response.reason holds the control character 0x0D"));
        EXPECT_THAT(e.what(), HasSubstr("route s split: response.header holds the control character 0x0A"));
    }
}

TEST(ScenarioRunner, ManyRunnersAtOnce) {
    std::vector<std::unique_ptr<ScenarioRunner>> runners;
    for (int i = 0; i < 20; ++i)
        runners.push_back(std::make_unique<ScenarioRunner>(load_scenario(kScenarios / "rest-api.ini").scenario.value()));
    for (auto& runner : runners) {
        auto r = send(*runner, "users", "GET /users/42 HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(r);
        EXPECT_THAT(r->body, HasSubstr("\"Ada\""));
    }
    EXPECT_THROW(runners[0]->url("nope"), std::out_of_range);
}

TEST(ScenarioRunner, TlsServersShareOneAuthorityKeptInAPrivateFile) {
    std::filesystem::path folder;
    {
        ScenarioRunner runner(from_text("[server a]\ntls = on\n[route a r]\nrequest = GET /r\nresponse = 200\n"
                                        "[server b]\ntls = on\ntls.client_ca = generate\n"
                                        "[route b r]\nrequest = GET /r\nresponse = 200\n"
                                        "[server c]\n[route c r]\nrequest = GET /r\nresponse = 200\n"));
        EXPECT_THAT(runner.url("a"), StartsWith("https://127.0.0.1:"));
        EXPECT_THAT(runner.url("c"), StartsWith("http://127.0.0.1:"));
        ASSERT_FALSE(runner.ca_file().empty());
        folder = std::filesystem::path(runner.ca_file()).parent_path();
        struct stat file_status{}, folder_status{};
        ASSERT_EQ(::stat(runner.ca_file().c_str(), &file_status), 0);
        ASSERT_EQ(::stat(folder.c_str(), &folder_status), 0);
        EXPECT_EQ(file_status.st_mode & 0777, 0600u);
        EXPECT_EQ(folder_status.st_mode & 0777, 0700u);
        std::ifstream in(runner.ca_file());
        EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), runner.ca_pem());
        EXPECT_EQ(runner.client_cert_file("a"), "");

        test_support::TlsClientOptions trusting;
        trusting.trusted_ca_pem = runner.ca_pem();
        EXPECT_THAT(test_support::tls_get(runner.port("a"), "/r", trusting), StartsWith("HTTP/1.1 200"));
        // b wants the client certificate the run made for it.
        EXPECT_THAT(test_support::tls_get(runner.port("b"), "/r", trusting), Not(HasSubstr("200")));
        auto client = trusting;
        client.client_cert_pem = runner.client_credentials("b").certificate_pem;
        client.client_key_pem = runner.client_credentials("b").private_key_pem;
        EXPECT_THAT(test_support::tls_get(runner.port("b"), "/r", client), StartsWith("HTTP/1.1 200"));
        EXPECT_TRUE(std::filesystem::exists(runner.client_cert_file("b")));
        EXPECT_TRUE(send(runner, "c", "GET /r HTTP/1.1\r\nHost: x\r\n\r\n"));

        const auto entries = runner.journal().entries();
        ASSERT_EQ(entries.size(), 3u);
        ASSERT_TRUE(entries[0].tls);
        EXPECT_EQ(entries[0].tls->version, "TLSv1.3");
        EXPECT_EQ(entries[0].tls->sni, "localhost");
        EXPECT_EQ(entries[1].tls->client_subject, "CN=mockserve client of b,O=mockserve");
        EXPECT_FALSE(entries[2].tls);
        EXPECT_THAT(Journal::to_json(entries[1]),
                    HasSubstr(R"("tls":{"version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384","sni":"localhost",)"
                              R"("alpn":null,"client_subject":"CN=mockserve client of b,O=mockserve"})"));
        EXPECT_THAT(Journal::to_json(entries[2]), HasSubstr(R"("tls":null)"));
        EXPECT_THAT(::testing::PrintToString(entries[1]),
                    HasSubstr("-- over TLSv1.3 (TLS_AES_256_GCM_SHA384, SNI localhost, client certificate "
                              "CN=mockserve client of b,O=mockserve)"));
    }
    EXPECT_FALSE(std::filesystem::exists(folder));  // removed with the runner
}

TEST(ScenarioRunner, NoTlsNoAuthority) {
    ScenarioRunner runner(from_text("[server c]\n[route c r]\nrequest = GET /r\nresponse = 200\n"));
    EXPECT_EQ(runner.ca_file(), "");
    EXPECT_EQ(runner.ca_pem(), "");
}

}  // namespace
}  // namespace mockserve::scenario
