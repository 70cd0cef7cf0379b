// The INI reader and the scenario loader: text in, scenario or mistakes out.
#include "ini_reader.hpp"

#include <mockserve/certificate_authority.hpp>
#include <mockserve/scenario/scenario_loader.hpp>

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

namespace mockserve::scenario {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::filesystem::path kScenarios = MOCKSERVE_SCENARIOS;

TEST(IniReader, SectionsKeysCommentsAndLines) {
    const auto doc = detail::read_ini("# comment\n[a b]\nk = v = w \n ; also a comment\nk=second\n\n[c]\n");
    ASSERT_TRUE(doc.errors.empty());
    ASSERT_EQ(doc.sections.size(), 2u);
    EXPECT_EQ(doc.sections[0].name, "a b");
    EXPECT_EQ(doc.sections[0].line, 2);
    ASSERT_EQ(doc.sections[0].entries.size(), 2u);
    EXPECT_EQ(doc.sections[0].entries[0].value, "v = w");
    EXPECT_EQ(doc.sections[0].entries[1].value, "second");
    EXPECT_EQ(doc.sections[0].entries[1].line, 5);
}

TEST(IniReader, ReportsBadLines) {
    const auto doc = detail::read_ini("key = before any section\n[open\n[ok]\njust words\n= no key\n");
    ASSERT_EQ(doc.errors.size(), 4u);
    EXPECT_EQ(doc.errors[0].line, 1);
    EXPECT_EQ(doc.errors[1].line, 2);
    EXPECT_EQ(doc.errors[2].line, 4);
    EXPECT_EQ(doc.errors[3].line, 5);
}

TEST(ScenarioLoader, LoadsTheIssueExampleAsWritten) {
    const auto result = load_scenario(kScenarios / "checkout.ini");
    ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    const auto& s = *result.scenario;
    EXPECT_EQ(s.name, "checkout");
    ASSERT_EQ(s.servers.size(), 2u);
    const auto& api = s.servers[0];
    ASSERT_EQ(api.routes.size(), 3u);
    EXPECT_EQ(api.routes[0].request.methods, std::vector<std::string>{"POST"});
    EXPECT_EQ(api.routes[0].request.json, R"({"amount":1200,"currency":"EUR"})");
    const auto& created = std::get<CannedResponse>(api.routes[0].action);
    EXPECT_EQ(created.status, 201);
    EXPECT_THAT(created.headers, ElementsAre(Field{"Content-Type", "application/json"},
                                             Field{"Location", "/v1/payments/pay_123"}));
    const auto& fetched = std::get<CannedResponse>(api.routes[1].action);
    EXPECT_EQ(fetched.delay, std::chrono::milliseconds(150));
    EXPECT_THAT(fetched.body, HasSubstr("\"amount\": 1200"));  // from payment.json, beside the scenario
    EXPECT_EQ(std::get<CannedResponse>(api.routes[2].action).fault, CannedResponse::Fault::reset);
    const auto& legacy = s.servers[1];
    EXPECT_EQ(legacy.routes[0].request.methods, (std::vector<std::string>{"GET", "HEAD"}));
    EXPECT_EQ(legacy.routes[0].request.path->kind, PathPattern::Kind::prefix);
    EXPECT_TRUE(std::holds_alternative<StaticTree>(legacy.routes[0].action));
    EXPECT_TRUE(std::holds_alternative<CgiScripts>(legacy.routes[1].action));
    EXPECT_TRUE(legacy.routes[1].request.methods.empty());
    ASSERT_EQ(s.expectations.size(), 1u);
    EXPECT_EQ(s.expectations[0].count.op, CountRule::Op::exactly);
    EXPECT_EQ(s.expectations[0].count.n, 1u);
}

TEST(ScenarioLoader, ReportsEveryMistakeWithFileAndLine) {
    const std::string text =
        "[scenario]\n"                                      // 1
        "name = broken\n"                                   // 2
        "colour = blue\n"                                   // 3 unknown key
        "[server api]\n"                                    // 4
        "port = 70000\n"                                    // 5 port out of range
        "[route api a]\n"                                   // 6
        "request = GET ~ ([unclosed\n"                      // 7 bad regex
        "response = 700\n"                                  // 8 status out of range
        "response.delay = soon\n"                           // 9 bad duration
        "[route ghost b]\n"                                 // 10 undeclared server
        "request = GET /x\n"                                // 11
        "response = 200\n"                                  // 12
        "[route api c]\n"                                   // 13
        "request = GET /c\n"                                // 14
        "response = 200\n"                                  // 15
        "static = .\n"                                      // 16 two actions
        "[route api d]\n"                                   // 17 no action
        "request = GET /d\n"                                // 18
        "[route api e]\n"                                   // 19
        "response.body_file = no-such-file.json\n"          // 20 missing file
        "[route api f]\n"                                   // 21
        "static = no-such-folder\n"                         // 22 missing folder
        "[weird section]\n"                                 // 23 unknown section
        "[expect api g]\n"                                  // 24
        "count = some\n"                                    // 25 bad count
        "request.json = {not json\n";                       // 26 bad JSON
    const auto result = parse_scenario(text, "broken.ini", kScenarios);
    EXPECT_FALSE(result.ok());
    const auto all = ::testing::PrintToString(result.errors);
    for (const char* expected :
         {"broken.ini:3: unknown key 'colour'", "broken.ini:5: port must be 0-65535", "broken.ini:7: bad regular expression",
          "broken.ini:8: response status must be 100-599", "broken.ini:9: 'soon' is not a duration",
          "broken.ini:10: route 'b' names server 'ghost', which is not declared",
          "broken.ini:16: route 'c' has two actions", "broken.ini:17: route 'd' has no action",
          "broken.ini:20: response.body_file = no-such-file.json: cannot read",
          "broken.ini:22: static = no-such-folder: no such folder", "broken.ini:23: unknown section [weird section]",
          "broken.ini:25: count is N, >=N or <=N", "broken.ini:26: request.json is not JSON"}) {
        EXPECT_THAT(all, HasSubstr(expected));
    }
    EXPECT_EQ(result.errors.size(), 13u) << all;
}

TEST(ScenarioLoader, DurationsAreAtMostADay) {
    // Found by scenario_loader_fuzzer: "1e50s" overflowed the milliseconds
    // (undefined behaviour) instead of being refused.
    const auto result = parse_scenario("[server api]\n"
                                       "cgi_timeout = 99999999999999999999999999999999999999999999999910s\n"
                                       "io_timeout = 1441m\n"
                                       "request_timeout = 1440m\n",
                                       "long.ini", kScenarios);
    const auto all = ::testing::PrintToString(result.errors);
    EXPECT_THAT(all, HasSubstr("long.ini:2: '99999999999999999999999999999999999999999999999910s' is not a duration"));
    EXPECT_THAT(all, HasSubstr("long.ini:3: '1441m' is not a duration (say 150ms, 2s or 1m; at most a day)"));
    EXPECT_EQ(result.errors.size(), 2u) << all;
}

TEST(ScenarioLoader, RequestsPerConnectionAreANumberAndZeroMeansNoCap) {
    const auto uncapped = parse_scenario("[server api]\nmax_requests_per_connection = 0\n", "bench.ini", kScenarios);
    ASSERT_TRUE(uncapped.ok()) << ::testing::PrintToString(uncapped.errors);
    EXPECT_EQ(uncapped.scenario->servers.at(0).limits.max_requests_per_connection, 0u);
    const auto wrong = parse_scenario("[server api]\nmax_requests_per_connection = many\n", "bench.ini", kScenarios);
    EXPECT_THAT(::testing::PrintToString(wrong.errors),
                HasSubstr("bench.ini:2: max_requests_per_connection must be a number (0: no cap), not 'many'"));
}

TEST(ScenarioLoader, AResponseFieldOrReasonHasNoControlCharacter) {
    // Found by scenario_loader_fuzzer: a NUL (or a CR) in response.header
    // went into the response as it was.
    const auto result = parse_scenario(std::string("[server api]\n[route api r]\nrequest = GET /\nresponse = 200\n"
                                                   "response.header = X-A: a\0b\nresponse.reason = Fine\rX\n",
                                                   110),
                                       "ctl.ini", kScenarios);
    const auto all = ::testing::PrintToString(result.errors);
    EXPECT_THAT(all, HasSubstr("ctl.ini:5: response.header holds the control character 0x00 (a response field or "
                               "reason cannot; put such bytes in the body)"));
    EXPECT_THAT(all, HasSubstr("ctl.ini:6: response.reason holds the control character 0x0D"));
    EXPECT_EQ(result.errors.size(), 2u) << all;
}

TEST(ScenarioLoader, ABodyFileIsARegularFile) {
    // A folder read as an empty body; /dev/zero never ended.
    for (const char* path : {"/dev/zero", "/tmp"}) {
        const auto result = parse_scenario(std::string("[server api]\n[route api r]\nrequest = GET /\nresponse.body_file = ") +
                                               path + "\n",
                                           "body.ini", kScenarios);
        EXPECT_THAT(::testing::PrintToString(result.errors),
                    HasSubstr(std::string("body.ini:4: response.body_file = ") + path + ": cannot read " + path +
                              " (a regular file is wanted)"));
    }
}

TEST(ScenarioLoader, RequestLineForms) {
    const auto result = parse_scenario(
        "[server s]\n[route s a]\nrequest = /exact\nresponse = 200\n[route s b]\nrequest = GET|HEAD /pre/*\nresponse = 200\n"
        "[route s c]\nrequest = ~ ^/re/[0-9]+$\nresponse = 200\n[route s d]\nresponse = 200\n"
        "[expect s e]\nrequest = POST /x\ncount = >=2\n[expect s f]\nrequest = /y\ncount = <=0\n",
        "forms.ini", ".");
    ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    const auto& routes = result.scenario->servers[0].routes;
    EXPECT_TRUE(routes[0].request.path->matches("/exact"));
    EXPECT_FALSE(routes[0].request.path->matches("/exact/more"));
    EXPECT_TRUE(routes[1].request.path->matches("/pre/a/b"));
    EXPECT_TRUE(routes[2].request.path->matches("/re/42"));
    EXPECT_FALSE(routes[2].request.path->matches("/re/x"));
    EXPECT_FALSE(routes[3].request.path.has_value());  // any request
    EXPECT_TRUE(result.scenario->expectations[0].count.holds(2));
    EXPECT_FALSE(result.scenario->expectations[0].count.holds(1));
    EXPECT_TRUE(result.scenario->expectations[1].count.holds(0));
}

TEST(ScenarioLoader, JournalKeys) {
    const auto kept = parse_scenario("[scenario]\njournal_max_bytes = 1048576\njournal_max_body_bytes = 64\n[server s]\n",
                                     "journal.ini", kScenarios);
    ASSERT_TRUE(kept.ok()) << ::testing::PrintToString(kept.errors);
    EXPECT_TRUE(kept.scenario->journal.enabled);
    EXPECT_EQ(kept.scenario->journal.max_total_bytes, 1048576u);
    EXPECT_EQ(kept.scenario->journal.max_body_bytes, 64u);

    const auto off = parse_scenario("[scenario]\njournal = off\n[server s]\n", "off.ini", kScenarios);
    ASSERT_TRUE(off.ok());
    EXPECT_FALSE(off.scenario->journal.enabled);

    const auto wrong = parse_scenario(
        "[scenario]\njournal = maybe\njournal_max_bytes = lots\n[server s]\n", "wrong.ini", kScenarios);
    EXPECT_THAT(wrong.errors, ElementsAre("wrong.ini:2: journal is on or off, not 'maybe'",
                                          "wrong.ini:3: journal_max_bytes is a number of bytes, not 'lots'"));

    const auto unverifiable = parse_scenario(
        "[scenario]\njournal = off\n[server s]\n[expect s e]\nrequest = GET /\ncount = 1\n", "x.ini", kScenarios);
    EXPECT_THAT(unverifiable.errors,
                ElementsAre("x.ini:2: journal = off, but expectations are checked against the journal"));
}

TEST(ScenarioLoader, ShippedScenariosLoad) {
    for (const char* name : {"checkout.ini", "rest-api.ini", "static-site.ini", "unreliable-upstream.ini"}) {
        const auto result = load_scenario(kScenarios / name);
        EXPECT_TRUE(result.ok()) << name << ": " << ::testing::PrintToString(result.errors);
    }
}

TEST(CanonicalJson, KeyOrderAndWhiteSpaceDoNotMatter) {
    EXPECT_EQ(canonical_json(R"({ "b": [1, {"y": 2, "x": 1}], "a": "s" })"), R"({"a":"s","b":[1,{"x":1,"y":2}]})");
    EXPECT_FALSE(canonical_json("{nope"));
}

TEST(CanonicalJson, NumbersAreTheirValues) {
    EXPECT_EQ(canonical_json(R"({"qty": 1.0, "n": [1e0, 10E-1, -0, 2.50]})"), R"({"n":[1,1,0,2.5],"qty":1})");
    EXPECT_EQ(canonical_json("1e400"), "1e999");
    EXPECT_EQ(canonical_json("-1e-400"), "0");
    // Found by json_matcher_fuzzer: Boost.JSON 1.81 read this an ulp off,
    // and read its own canonical form back as another number.
    const auto big = canonical_json("1111111111111111111111");
    ASSERT_TRUE(big);
    EXPECT_EQ(canonical_json(*big), big);
    EXPECT_EQ(canonical_json("1.111111111111111111111e21"), big);
}

TEST(CanonicalJson, IntegersStayExact) {
    // Ids past 2^53 are common; a double would round 2^53 + 1 into 2^53.
    EXPECT_EQ(canonical_json("[9007199254740993, -9223372036854775808, 18446744073709551615]"),
              "[9007199254740993,-9223372036854775808,18446744073709551615]");
    EXPECT_NE(canonical_json("9007199254740993"), canonical_json("9007199254740992"));
}

TEST(CanonicalJson, TheLastOfRepeatedKeysCounts) {
    EXPECT_EQ(canonical_json(R"({"a": 1, "b": {"c": 2}, "a": 3})"), R"({"a":3,"b":{"c":2}})");
}

}  // namespace
TEST(ScenarioLoader, MistakesAreListedInLineOrder) {
    // Found in three passes (the section's keys, the references between
    // sections, the whole scenario's checks), listed as the file reads.
    const auto result = parse_scenario("[server api]\n"
                                       "[route ghost r]\n"
                                       "request = GET /\n"
                                       "response = 200\n"
                                       "[route api a]\n"
                                       "request = GET /a\n"
                                       "[route api b]\n"
                                       "request = GET /b\n"
                                       "response = 9000\n",
                                       "order.ini", kScenarios);
    EXPECT_THAT(result.errors,
                ElementsAre("order.ini:2: route 'r' names server 'ghost', which is not declared",
                            "order.ini:5: route 'a' has no action: give it response = STATUS, static = DIR, cgi = DIR or proxy = URL",
                            "order.ini:9: response status must be 100-599, not '9000'"));
}

TEST(ScenarioLoader, CgiUserIsAUserOrCurrent) {
    const auto unknown = parse_scenario("[server api]\ncgi_user = no-such-user-here\n", "u.ini", kScenarios);
    EXPECT_THAT(unknown.errors, ElementsAre("u.ini:2: cgi_user 'no-such-user-here' is not a user on this machine "
                                            "(give a user name, or current for mockserve's own)"));
    const auto current = parse_scenario("[server api]\ncgi_user = current\n", "c.ini", kScenarios);
    ASSERT_TRUE(current.ok());
    EXPECT_EQ(current.scenario->servers[0].cgi_user, "current");
}

TEST(ScenarioLoader, CgiFolderThatItsUserCannotEnterIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "scripts change user only when mockserve runs as root";
    mockserve::test_support::TempDir private_folder;  // 0700, as mktemp -d makes it
    private_folder.write("cgi-bin/hello.sh", "#!/bin/sh\n");
    const std::string text = "[server api]\n[route api scripts]\nrequest = /cgi-bin/*\ncgi = " +
                             private_folder.str() + "/cgi-bin\n";
    const auto refused = parse_scenario(text, "p.ini", kScenarios);
    EXPECT_THAT(refused.errors,
                ElementsAre("p.ini:2: the cgi folder " + private_folder.str() + "/cgi-bin cannot be entered by user "
                            "nobody, who runs the scripts (" + private_folder.str() + " is not searchable by nobody): "
                            "chmod o+x " + private_folder.str() + ", move the scripts, or set cgi_user = current in "
                            "[server api]"));
    const auto own = parse_scenario("[server api]\ncgi_user = current\n" + text.substr(13), "p.ini", kScenarios);
    EXPECT_TRUE(own.ok()) << (own.errors.empty() ? "" : own.errors.front());
    ::chmod(private_folder.path().c_str(), 0755);
    EXPECT_TRUE(parse_scenario(text, "p.ini", kScenarios).ok());
}

// ---------------------------------------------------------------------------
// TLS keys: everything a server will load is loaded now, so that a wrong
// file, key or password is a FILE:LINE mistake before anything starts.

struct TlsFiles {
    TlsFiles() {
        const auto ca = http::CertificateAuthority::generate();
        const auto leaf = ca.issue_server_certificate({"localhost"});
        const auto other = ca.issue_server_certificate({"localhost"});
        dir.write("cert.pem", leaf.certificate_pem);
        dir.write("key.pem", leaf.private_key_pem);
        dir.write("other-key.pem", other.private_key_pem);
        dir.write("ca.pem", ca.certificate_pem());
        dir.write("not-pem.txt", "hello\n");
    }
    LoadResult load(const std::string& text) const { return parse_scenario(text, "t.ini", dir.path()); }
    test_support::TempDir dir;
};

TEST(ScenarioLoader, TlsOnWithAGeneratedOrAGivenCertificate) {
    TlsFiles files;
    const auto result = files.load("[server a]\ntls = on\n[server b]\ntls = on\ntls.cert = cert.pem\n"
                                   "tls.key = key.pem\ntls.client_ca = ca.pem\n[server c]\ntls.client_ca = generate\n"
                                   "tls = on\n[server d]\n");
    ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    const auto& servers = result.scenario->servers;
    EXPECT_TRUE(servers[0].tls.enabled);
    EXPECT_EQ(servers[0].tls.cert, "");
    EXPECT_EQ(servers[1].tls.cert, (files.dir.path() / "cert.pem").string());  // relative to the file's folder
    EXPECT_EQ(servers[1].tls.client_ca, (files.dir.path() / "ca.pem").string());
    EXPECT_EQ(servers[2].tls.client_ca, "generate");
    EXPECT_FALSE(servers[3].tls.enabled);
}

TEST(ScenarioLoader, TlsMistakesAreSaidAtTheirKey) {
    TlsFiles files;
    files.dir.write("pw.txt", "  secret \n");
    const auto result = files.load("[server a]\n"
                                   "tls = yes\n"                  // 2
                                   "[server b]\n"
                                   "tls = on\n"
                                   "tls.cert = missing.pem\n"     // 5
                                   "[server c]\n"
                                   "tls = on\n"
                                   "tls.cert = cert.pem\n"
                                   "tls.key = other-key.pem\n"    // 9
                                   "[server d]\n"
                                   "tls.cert = cert.pem\n"        // 11
                                   "[server e]\n"
                                   "tls = on\n"
                                   "tls.client_ca = not-pem.txt\n"  // 14
                                   "[server f]\n"
                                   "tls = on\n"
                                   "tls.key = key.pem\n"          // 17
                                   "[server g]\n"
                                   "tls = on\n"
                                   "tls.cert = cert.pem\n"
                                   "tls.key = key.pem\n"
                                   "tls.password_file = nope.txt\n"  // 22
                                   "tls.colour = blue\n");          // 23
    const auto dir = files.dir.str();
    EXPECT_THAT(result.errors,
                ElementsAre("t.ini:2: tls is on or off, not 'yes'",
                            HasSubstr("t.ini:5: cannot read the certificate file '" + dir + "/missing.pem'"),
                            "t.ini:9: the private key in '" + dir + "/other-key.pem' does not match the certificate",
                            "t.ini:11: tls.cert is set but tls is off: add tls = on to [server d]",
                            "t.ini:14: no PEM certificate in the client authority '" + dir +
                                "/not-pem.txt' (give a PEM file of authorities, or generate)",
                            "t.ini:17: tls.key goes with tls.cert (a generated certificate needs neither)",
                            HasSubstr("t.ini:22: cannot read the password file '" + dir + "/nope.txt'"),
                            HasSubstr("t.ini:23: unknown key 'tls.colour' (known here:")));
}

TEST(ScenarioLoader, ATlsPasswordFileOpensAnEncryptedKey) {
    TlsFiles files;
    const auto key = files.dir.path() / "key.pem";
    const auto encrypted = files.dir.path() / "encrypted.pem";
    files.dir.write("pw.txt", "  s3cret \n");  // white space around it is not the password's
    files.dir.write("wrong.txt", "nope\n");
    ASSERT_EQ(std::system(("openssl pkey -in " + key.string() + " -aes256 -passout pass:s3cret -out " +
                           encrypted.string())
                              .c_str()),
              0);
    const auto text = [](const std::string& password_file) {
        return "[server a]\ntls = on\ntls.cert = cert.pem\ntls.key = encrypted.pem\ntls.password_file = " +
               password_file + "\n";
    };
    EXPECT_TRUE(files.load(text("pw.txt")).ok()) << ::testing::PrintToString(files.load(text("pw.txt")).errors);
    EXPECT_THAT(files.load(text("wrong.txt")).errors,
                ElementsAre("t.ini:5: wrong password for the private key in '" + encrypted.string() + "'"));
}

TEST(ScenarioLoader, ATlsFileIsARegularFileOfAtMostAMebibyte) {
    TlsFiles files;
    files.dir.write("huge.pem", std::string(1024 * 1024 + 1, 'x'));
    const auto result = files.load("[server a]\ntls = on\ntls.cert = /dev/zero\n"
                                   "[server b]\ntls = on\ntls.cert = huge.pem\n"
                                   "[server c]\ntls = on\ntls.cert = cert.pem\ntls.key = key.pem\n"
                                   "tls.password_file = /dev/zero\n");
    EXPECT_THAT(result.errors,
                ElementsAre("t.ini:3: the certificate file '/dev/zero' is not a regular file",
                            "t.ini:6: the certificate file '" + files.dir.str() +
                                "/huge.pem' is larger than 1 MiB: not a PEM file",
                            "t.ini:11: the password file '/dev/zero' is not a regular file"));
}

TEST(ScenarioLoader, TheRunHasOneAuthority) {
    TlsFiles files;
    // The authority's own key is not available to the test: a leaf's pair
    // stands for "a certificate that cannot sign".
    const auto result = files.load("[scenario]\ntls.ca_cert = cert.pem\ntls.ca_key = key.pem\n"
                                   "[server a]\ntls = on\ntls.ca_cert = ca.pem\n"
                                   "[server b]\ntls = on\n");
    EXPECT_THAT(result.errors,
                ElementsAre(HasSubstr("t.ini:2: the authority's certificate is not a certificate authority"),
                            HasSubstr("t.ini:6: the run has one authority: tls.ca_cert is already " +
                                      files.dir.str() + "/cert.pem (line 2)")));
    EXPECT_THAT(files.load("[scenario]\ntls.ca_key = key.pem\n[server a]\ntls = on\n").errors,
                ElementsAre("t.ini:2: tls.ca_key needs tls.ca_cert too"));
}

// --- Behaviours: times, states, templates, streams, randomness, strictness ---

TEST(IniReader, AHashBetweenBlanksStartsAComment) {
    const auto doc = detail::read_ini("[s]\ntimes = 2      # the first two\ncolor = #fff\nitem = Item #3\nend = x #\n");
    ASSERT_TRUE(doc.errors.empty());
    const auto& e = doc.sections[0].entries;
    EXPECT_EQ(e[0].value, "2");
    EXPECT_EQ(e[1].value, "#fff");
    EXPECT_EQ(e[2].value, "Item #3");
    EXPECT_EQ(e[3].value, "x");
}

TEST(ScenarioLoader, ReadsEveryBehaviourKey) {
    const auto result = parse_scenario("[scenario]\nunmatched = fail\nseed = 42\n"
                                       "[server api]\n"
                                       "[route api poll]\nrequest = GET ~ ^/jobs/([0-9]+)$\ntimes = 2\n"
                                       "state = cart:full\nnext_state = done\nresponse = 202\n"
                                       "response.template = on\nresponse.body = {{request.match.1}}\n"
                                       "response.delay = 100ms..400ms\nresponse.fault = reset 10%\n"
                                       "response.chunk_size = 3\nresponse.chunk_delay = 50ms\n"
                                       "[route api fill]\nrequest = POST /cart\nnext_state = cart:full\nresponse = 200\n"
                                       "[route api done]\nrequest = GET /done\nstate = done\nresponse = 200\n"
                                       "[route api events]\nrequest = /events\nresponse = 200\n"
                                       "response.event = first\nresponse.event = event: tick\\ndata: 2\n"
                                       "response.event_delay = 1s\nresponse.event_repeat = on\n"
                                       "[expect api one]\nrequest = /a\n[expect api two]\nrequest = /b\nafter = one\n",
                                       "t.ini", kScenarios);
    ASSERT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    const auto& s = *result.scenario;
    EXPECT_EQ(s.unmatched, Unmatched::fail);
    EXPECT_EQ(s.seed, 42u);
    const auto& poll = s.servers[0].routes[0];
    EXPECT_EQ(poll.times, 2u);
    EXPECT_EQ(poll.state->machine, "cart");
    EXPECT_EQ(poll.state->state, "full");
    EXPECT_EQ(poll.next_state->to_string(), "done");
    const auto& canned = std::get<CannedResponse>(poll.action);
    EXPECT_TRUE(canned.template_on);
    EXPECT_EQ(canned.delay, std::chrono::milliseconds(100));
    EXPECT_EQ(canned.delay_max, std::chrono::milliseconds(400));
    EXPECT_EQ(canned.fault, CannedResponse::Fault::reset);
    EXPECT_DOUBLE_EQ(canned.fault_probability, 0.10);
    EXPECT_EQ(canned.chunk_size, 3u);
    EXPECT_EQ(canned.chunk_delay, std::chrono::milliseconds(50));
    const auto& events = std::get<CannedResponse>(s.servers[0].routes[3].action);
    EXPECT_THAT(events.events, ElementsAre("first", "event: tick\ndata: 2"));
    EXPECT_EQ(events.event_delay, std::chrono::seconds(1));
    EXPECT_TRUE(events.event_repeat);
    EXPECT_EQ(s.expectations[1].after, "one");
}

TEST(ScenarioLoader, BehaviourMistakesAreSaidAtTheirKey) {
    const auto result = parse_scenario("[scenario]\n"
                                       "unmatched = maybe\n"                         // 2
                                       "seed = -1\n"                                 // 3
                                       "[server api]\n"
                                       "[route api a]\n"
                                       "request = /a\n"
                                       "times = 0\n"                                 // 7
                                       "state = no spaces\n"                         // 8
                                       "response = 200\n"
                                       "response.delay = 400ms..100ms\n"             // 10
                                       "response.fault = reset often\n"              // 11
                                       "response.fault = close 120%\n"               // 12
                                       "response.chunk_size = 0\n"                   // 13
                                       "response.template = yes\n"                   // 14
                                       "[route api b]\n"
                                       "request = /b\n"
                                       "state = shipped\n"                           // 17
                                       "response = 200\n"
                                       "response.template = on\n"
                                       "response.body = {{request.colour}}\n"        // 20
                                       "[route api c]\n"
                                       "request = /c\n"
                                       "response = 200\n"
                                       "response.template = on\n"
                                       "response.header = X-Id: {{request.match.1}}\n"  // 25
                                       "response.event = one\n"                      // 26
                                       "response.body = two\n"
                                       "[route api d]\n"
                                       "request = ~ ^/d/([a-z]+)$\n"
                                       "response = 200\n"
                                       "response.template = on\n"
                                       "response.body = {{request.match.2}} {{request.json items}}\n"  // 32
                                       "response.chunk_delay = 1s\n"                 // 33
                                       "response.event_repeat = on\n"                // 34
                                       "[expect api e]\n"                            // 35
                                       "request = /e\n"
                                       "after = nobody\n"
                                       "[expect api f]\n"                            // 38
                                       "after = f\n",
                                       "t.ini", kScenarios);
    EXPECT_THAT(result.errors,
                ElementsAre("t.ini:2: unmatched is 404 or fail, not 'maybe'",
                            HasSubstr("t.ini:3: seed is a whole number"),
                            "t.ini:7: times is a number of requests, at least 1, not '0'",
                            HasSubstr("t.ini:8: state is STATE or MACHINE:STATE"),
                            "t.ini:10: response.delay 400ms..100ms: the range's end is before its start",
                            HasSubstr("t.ini:11: response.fault is reset, close or truncate, with an optional probability"),
                            "t.ini:12: response.fault close 120%: the probability is a percentage from 0% to 100%",
                            HasSubstr("t.ini:13: response.chunk_size is a number of bytes, at least 1"),
                            "t.ini:14: response.template is on or off, not 'yes'",
                            "t.ini:17: state = shipped: no route moves server api's machine to shipped (with "
                            "next_state = shipped), and every machine starts in start",
                            HasSubstr("t.ini:20: unknown template name {{request.colour}} (known: request.method"),
                            "t.ini:25: {{request.match.1}}: the route's path is not a regular expression (request = ~ EXPR)",
                            HasSubstr("t.ini:26: route 'c' has events and a response.body"),
                            "t.ini:32: {{request.match.2}}: the route's path expression has 1 group(s); say "
                            "request.match.0 to request.match.1",
                            "t.ini:33: response.chunk_delay needs response.chunk_size (the size of the pieces it "
                            "pauses between)",
                            "t.ini:34: response.event_repeat without any response.event",
                            "t.ini:35: after = nobody: no expectation named nobody (say NAME, or SERVER/NAME)",
                            "t.ini:38: after = f: an expectation cannot come after itself"));
}

TEST(ScenarioLoader, AfterFindsAnExpectationOnAnotherServer) {
    const auto result = parse_scenario("[server auth]\n[server api]\n"
                                       "[expect auth token]\nrequest = POST /oauth/token\n"
                                       "[expect api call]\nrequest = GET /v1/accounts\nafter = token\n"
                                       "[expect api call2]\nrequest = GET /v2\nafter = auth/token\n",
                                       "t.ini", kScenarios);
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(result.errors);
    const auto own_server_wins = parse_scenario("[server a]\n[server b]\n[expect a x]\n[expect b x]\n"
                                                "[expect a z]\nafter = x\n",
                                                "t.ini", kScenarios);
    EXPECT_TRUE(own_server_wins.ok()) << ::testing::PrintToString(own_server_wins.errors);
    const auto ambiguous = parse_scenario("[server a]\n[server b]\n[server c]\n[expect a x]\n[expect b x]\n"
                                          "[expect c z]\nafter = x\n",
                                          "t.ini", kScenarios);
    EXPECT_THAT(ambiguous.errors, ElementsAre("t.ini:6: after = x: several servers have an expectation named x; "
                                              "say SERVER/x"));
}

}  // namespace mockserve::scenario
