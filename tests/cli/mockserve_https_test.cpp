// HTTPS from the command, with clients a team really uses: curl, Python's
// ssl module and OpenSSL's s_client, each run as the `-- COMMAND` of a
// scenario (so through the variables the command publishes), and the
// drop-in's Python 3.14 flags.
#include <mockserve/certificate_authority.hpp>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace mockserve {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;
using test_support::ChildProcess;
using test_support::TempDir;

const std::string kScenarios = MOCKSERVE_SCENARIOS;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Runs `script` with sh under `mockserve SCENARIO -q --journal J`; returns
// the exit code; the script's files are in `tmp`.
int run_under(const std::string& scenario, const std::string& script, const TempDir& tmp,
              std::vector<std::string>* printed = nullptr) {
    ChildProcess mockserve({MOCKSERVE_BINARY, scenario, "-q", "--journal", (tmp.path() / "journal.jsonl").string(),
                            "--", "/bin/sh", "-c", "cd " + tmp.str() + " && " + script});
    while (auto line = mockserve.read_line(std::chrono::seconds(60))) {
        if (printed) printed->push_back(*line);
    }
    const auto code = mockserve.wait(std::chrono::seconds(60));
    return code.value_or(-1);
}

TEST(MockserveHttps, TheShippedScenarioWithCurl) {
    TempDir tmp;
    std::vector<std::string> printed;
    run_under(kScenarios + "/https-api.ini",
              "curl -sS --cacert \"$MOCKSERVE_CA_FILE\" \"$MOCKSERVE_API_URL/v1/status\" > trusted.txt;"
              "curl -sS \"$MOCKSERVE_API_URL/v1/status\" 2> untrusted.txt; echo $? > untrusted-code.txt;"
              "curl -sS --cacert \"$MOCKSERVE_CA_FILE\" --cert \"$MOCKSERVE_PARTNER_CLIENT_CERT\" "
              "  --key \"$MOCKSERVE_PARTNER_CLIENT_KEY\" \"$MOCKSERVE_PARTNER_URL/v1/orders\" > mutual.txt;"
              "curl -sS --cacert \"$MOCKSERVE_CA_FILE\" \"$MOCKSERVE_PARTNER_URL/v1/orders\" 2> no-cert.txt;"
              "echo $? > no-cert-code.txt; echo \"$MOCKSERVE_CA_FILE\" > ca-path.txt",
              tmp, &printed);
    ASSERT_GE(printed.size(), 3u);
    EXPECT_THAT(printed[0], MatchesRegex("api https://127\\.0\\.0\\.1:[0-9]+"));
    EXPECT_THAT(printed[1], MatchesRegex("partner https://127\\.0\\.0\\.1:[0-9]+"));
    EXPECT_EQ(printed[2], "ready");
    EXPECT_EQ(read_file(tmp.path() / "trusted.txt"), R"({"status": "ok", "secure": true})");
    EXPECT_EQ(read_file(tmp.path() / "untrusted-code.txt"), "60\n");  // curl: the peer's certificate is not trusted
    EXPECT_THAT(read_file(tmp.path() / "untrusted.txt"), HasSubstr("certificate"));
    EXPECT_EQ(read_file(tmp.path() / "mutual.txt"), R"([{"id": 1}])");
    EXPECT_NE(read_file(tmp.path() / "no-cert-code.txt"), "0\n");
    // The authority's file is gone with the run.
    auto ca_path = read_file(tmp.path() / "ca-path.txt");
    ca_path.pop_back();
    EXPECT_THAT(ca_path, StartsWith(std::filesystem::temp_directory_path().string()));
    EXPECT_FALSE(std::filesystem::exists(ca_path));
    const auto journal = read_file(tmp.path() / "journal.jsonl");
    // curl sends no SNI for an IP address.
    EXPECT_THAT(journal, HasSubstr(R"("tls":{"version":"TLSv1.3",)"));
    EXPECT_THAT(journal, HasSubstr(R"("sni":null,"alpn":"http/1.1","client_subject":null})"));
    EXPECT_THAT(journal, HasSubstr(R"("client_subject":"CN=mockserve client of partner,O=mockserve"})"));
}

TEST(MockserveHttps, PythonsSslModuleAsASecondClient) {
    TempDir tmp;
    run_under(kScenarios + "/https-api.ini",
              "python3 -c 'import os, ssl, urllib.request\n"
              "context = ssl.create_default_context(cafile=os.environ[\"MOCKSERVE_CA_FILE\"])\n"
              "request = urllib.request.Request(os.environ[\"MOCKSERVE_API_URL\"] + \"/v1/tokens\", "
              "data=b\"{\\\"user\\\": \\\"ada\\\"}\", method=\"POST\")\n"
              "with urllib.request.urlopen(request, context=context) as response:\n"
              "    print(response.status, response.read().decode())\n"
              "try:\n"
              "    urllib.request.urlopen(os.environ[\"MOCKSERVE_API_URL\"] + \"/v1/status\", "
              "context=ssl.create_default_context())\n"
              "except Exception as e:\n"
              "    print(\"refused:\", \"CERTIFICATE_VERIFY_FAILED\" in str(e))\n"
              "' > python.txt 2>&1",
              tmp);
    EXPECT_EQ(read_file(tmp.path() / "python.txt"), "201 {\"token\": \"tok_123\"}\nrefused: True\n");
}

TEST(MockserveHttps, OpenSslClientVersionsAlpnAndSni) {
    TempDir tmp;
    const std::string s_client =
        "openssl s_client -connect \"${MOCKSERVE_API_URL#https://}\" -CAfile \"$MOCKSERVE_CA_FILE\" -verify_return_error";
    run_under(kScenarios + "/https-api.ini",
              s_client + " -tls1_2 < /dev/null > tls12.txt 2>&1;" + s_client +
                  " -tls1_3 -alpn h2,http/1.1 < /dev/null > tls13.txt 2>&1;" + s_client +
                  " -alpn h2 < /dev/null > h2.txt 2>&1;" + s_client + " -tls1_1 < /dev/null > tls11.txt 2>&1;"
                  "echo $? > tls11-code.txt;"
                  "printf 'GET /v1/status HTTP/1.1\\r\\nHost: api.test\\r\\nConnection: close\\r\\n\\r\\n' | " +
                  s_client + " -quiet -servername api.test > sni.txt 2>&1",
              tmp);
    EXPECT_THAT(read_file(tmp.path() / "tls12.txt"), HasSubstr("New, TLSv1.2, Cipher is ECDHE-ECDSA-"));
    EXPECT_THAT(read_file(tmp.path() / "tls12.txt"), HasSubstr("Verify return code: 0 (ok)"));
    EXPECT_THAT(read_file(tmp.path() / "tls13.txt"), HasSubstr("New, TLSv1.3, Cipher is TLS_"));
    EXPECT_THAT(read_file(tmp.path() / "tls13.txt"), HasSubstr("ALPN protocol: http/1.1"));
    EXPECT_THAT(read_file(tmp.path() / "h2.txt"), HasSubstr("No ALPN negotiated"));  // and no hang
    EXPECT_NE(read_file(tmp.path() / "tls11-code.txt"), "0\n");
    EXPECT_THAT(read_file(tmp.path() / "sni.txt"), HasSubstr("HTTP/1.1 200 OK"));
    EXPECT_THAT(read_file(tmp.path() / "journal.jsonl"), HasSubstr(R"("sni":"api.test")"));
}

TEST(MockserveHttps, AGivenAuthoritySignsTheRunsCertificates) {
    TempDir tmp;
    ASSERT_EQ(std::system(("cd " + tmp.str() +
                           " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout team-ca.key"
                           " -out team-ca.pem -subj /CN=team-authority -days 2"
                           " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign"
                           " > /dev/null 2>&1")
                              .c_str()),
              0);
    tmp.write("team.ini", "[scenario]\ntls.ca_cert = team-ca.pem\ntls.ca_key = team-ca.key\n"
                          "[server api]\ntls = on\n[route api r]\nrequest = GET /r\nresponse = 200\n"
                          "response.body = team\n");
    run_under((tmp.path() / "team.ini").string(),
              "curl -sS --cacert team-ca.pem \"$MOCKSERVE_API_URL/r\" > out.txt;"
              "cmp -s team-ca.pem \"$MOCKSERVE_CA_FILE\"; echo $? > same.txt",
              tmp);
    EXPECT_EQ(read_file(tmp.path() / "out.txt"), "team");
    EXPECT_EQ(read_file(tmp.path() / "same.txt"), "0\n");
}

// The server's TLS policy is its own: an openssl.cnf that would narrow its
// TLS 1.3 suites to one is not read, though libssl is set up only when the
// first TLS server starts (mockserver/cli/main.cpp). Read, it would make the
// server choose TLS_AES_128_GCM_SHA256. curl is kept from the file.
TEST(MockserveHttps, TheSystemsOpensslConfigurationIsNotRead) {
    TempDir tmp;
    const auto config = tmp.write("openssl.cnf",
                                  "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = policy\n"
                                  "[policy]\nCiphersuites = TLS_AES_128_GCM_SHA256\n");
    ChildProcess mockserve({"/usr/bin/env", "OPENSSL_CONF=" + config.string(), MOCKSERVE_BINARY,
                            kScenarios + "/https-api.ini", "-q", "--journal", (tmp.path() / "journal.jsonl").string(),
                            "--", "/bin/sh", "-c",
                            "env -u OPENSSL_CONF curl -sS --cacert \"$MOCKSERVE_CA_FILE\" "
                            "\"$MOCKSERVE_API_URL/v1/status\" > " + tmp.str() + "/out.txt"});
    while (mockserve.read_line(std::chrono::seconds(60))) {
    }
    EXPECT_EQ(mockserve.wait(std::chrono::seconds(60)), 0);
    EXPECT_EQ(read_file(tmp.path() / "out.txt"), R"({"status": "ok", "secure": true})");
    EXPECT_THAT(read_file(tmp.path() / "journal.jsonl"),
                HasSubstr(R"("tls":{"version":"TLSv1.3","cipher":"TLS_AES_256_GCM_SHA384",)"));
}

TEST(MockserveHttps, TlsMistakesStopTheRunBeforeAnythingStarts) {
    TempDir tmp;
    const auto ca = http::CertificateAuthority::generate();
    tmp.write("cert.pem", ca.issue_server_certificate({"localhost"}).certificate_pem);
    tmp.write("key.pem", ca.issue_server_certificate({"localhost"}).private_key_pem);
    const auto ini = tmp.write("bad.ini", "[server api]\ntls = on\ntls.cert = cert.pem\ntls.key = key.pem\n");
    ChildProcess mockserve({MOCKSERVE_BINARY, ini.string()});
    EXPECT_EQ(mockserve.wait(), 2);
    EXPECT_THAT(mockserve.read_stderr(),
                HasSubstr(ini.string() + ":4: the private key in '" + tmp.str() + "/key.pem' does not match"));
    EXPECT_FALSE(mockserve.read_line(std::chrono::milliseconds(100)));
}

// --- The drop-in ----------------------------------------------------------------

struct DropInFiles {
    DropInFiles() {
        const auto leaf = ca.issue_server_certificate({"localhost", "127.0.0.1"});
        tmp.write("ca.pem", ca.certificate_pem());
        tmp.write("cert.pem", leaf.certificate_pem);
        tmp.write("key.pem", leaf.private_key_pem);
        tmp.write("site/hello.txt", "hello over TLS\n");
        tmp.write("password.txt", "s3cret\n");
        std::system(("cd " + tmp.str() +
                     " && openssl pkey -in key.pem -aes256 -passout pass:s3cret -out encrypted.pem")
                        .c_str());
    }
    http::CertificateAuthority ca = http::CertificateAuthority::generate();
    TempDir tmp;
};

TEST(MockserveHttps, DropInServesHttpsWithPythonsFlags) {
    DropInFiles files;
    const auto dir = files.tmp.str();
    ChildProcess mockserve({MOCKSERVE_BINARY, "--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/encrypted.pem",
                            "--tls-password-file", dir + "/password.txt", "-d", dir + "/site", "0"});
    const auto banner = mockserve.read_line();
    ASSERT_TRUE(banner);
    EXPECT_THAT(*banner, MatchesRegex("Serving HTTPS on 127\\.0\\.0\\.1 port [0-9]+ \\(https://127\\.0\\.0\\.1:[0-9]+/\\) \\.\\.\\."));
    const auto url = banner->substr(banner->find("(") + 1, banner->find(")") - banner->find("(") - 1);
    ASSERT_EQ(std::system(("curl -sS --cacert " + dir + "/ca.pem " + url + "hello.txt > " + dir + "/got.txt").c_str()),
              0);
    EXPECT_EQ(read_file(files.tmp.path() / "got.txt"), "hello over TLS\n");
    mockserve.signal(SIGINT);
    EXPECT_EQ(mockserve.wait(), 0);
}

TEST(MockserveHttps, DropInRefusesTlsMistakes) {
    DropInFiles files;
    const auto dir = files.tmp.str();
    ChildProcess key_alone({MOCKSERVE_BINARY, "--tls-key", dir + "/key.pem", "0"});
    EXPECT_EQ(key_alone.wait(), 2);
    EXPECT_THAT(key_alone.read_stderr(), HasSubstr("--tls-key and --tls-password-file need --tls-cert"));

    ChildProcess no_password({MOCKSERVE_BINARY, "--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/encrypted.pem", "0"});
    EXPECT_EQ(no_password.wait(), 1);
    EXPECT_THAT(no_password.read_stderr(), HasSubstr("is encrypted: give its password"));

    ChildProcess help({MOCKSERVE_BINARY, "--help"});
    std::string text;
    while (auto line = help.read_line()) text += *line + "\n";
    EXPECT_THAT(text, HasSubstr("--tls-cert FILE"));
    EXPECT_THAT(text, HasSubstr("--tls-password-file FILE"));
    EXPECT_EQ(help.wait(), 0);
}

}  // namespace
}  // namespace mockserve
