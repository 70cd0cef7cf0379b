#include "cgi_environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace mockserve::http::detail {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(CgiEnvironment, HeadersCannotSetCgiVariablesOrCollide) {
    Headers headers;
    headers.add("Content-Length", "3");
    headers.add("X-Token", "a");
    headers.add("X_Token", "b");
    headers.add("X-Odd*Name", "d");  // found by cgi_environment_fuzzer: HTTP_X_ODD*NAME
    headers.add("Proxy", "http://evil");
    headers.add("x-token", "c");
    CgiRequest request;
    request.request_method = "POST";
    request.content_length = 3;
    request.headers = &headers;
    const char* inherited[] = {"PATH=/usr/bin", "HTTP_PROXY=http://server-env", "QUERY_STRING=stale", nullptr};
    const auto env = build_cgi_environment(request, inherited);
    EXPECT_THAT(env.variables, Contains("PATH=/usr/bin"));
    EXPECT_THAT(env.variables, Contains("HTTP_X_TOKEN=a, c"));
    EXPECT_THAT(env.variables, Contains("CONTENT_LENGTH=3"));
    EXPECT_THAT(env.variables, Contains("QUERY_STRING="));
    EXPECT_THAT(env.variables, Not(Contains("HTTP_PROXY=http://server-env")));
    EXPECT_THAT(env.variables, Not(Contains("HTTP_PROXY=http://evil")));
    EXPECT_THAT(env.variables, Not(Contains("HTTP_CONTENT_LENGTH=3")));
    EXPECT_EQ(env.dropped, (std::vector<std::string>{"X_Token", "X-Odd*Name"}));
}

// The server's environment reaches the script once per name, and never in
// place of a variable the server sets or leaves out.
TEST(CgiEnvironment, InheritedVariablesComeOnceAndNeverInPlaceOfTheServers) {
    Headers headers;
    CgiRequest request;
    request.request_method = "GET";
    request.headers = &headers;
    const char* inherited[] = {"LANG=C",          "PATH=/bin",      "LANG=C.UTF-8",         "REQUEST_METHOD=PUT",
                               "CONTENT_TYPE=text/stale", "AUTH_TYPE=Basic", "GATEWAY_INTERFACE=CGI/0.9", "NO_EQUALS",
                               nullptr};
    const auto env = build_cgi_environment(request, inherited);
    EXPECT_THAT(env.variables, Contains("LANG=C.UTF-8"));
    EXPECT_THAT(env.variables, Not(Contains("LANG=C")));
    EXPECT_THAT(env.variables, Contains("PATH=/bin"));
    EXPECT_THAT(env.variables, Contains("REQUEST_METHOD=GET"));
    EXPECT_THAT(env.variables, Contains("GATEWAY_INTERFACE=CGI/1.1"));
    for (const auto& variable : env.variables) {
        EXPECT_NE(variable.rfind("CONTENT_TYPE=", 0), 0u) << variable;
        EXPECT_NE(variable.rfind("AUTH_TYPE=", 0), 0u) << variable;
        EXPECT_NE(variable, "NO_EQUALS");
    }
    std::set<std::string> names;
    for (const auto& variable : env.variables)
        EXPECT_TRUE(names.insert(variable.substr(0, variable.find('='))).second) << variable << " twice";
}

// Every variable the server sets, inherited with a stale value, reaches
// the script once and with the request's value: the list of names the
// server keeps from its own environment cannot fall behind what it sets.
TEST(CgiEnvironment, NoVariableTheServerSetsIsInheritedToo) {
    Headers headers;
    headers.add("Authorization", "Basic dXNlcjpwYXNz");
    headers.add("Content-Type", "text/plain");
    const TlsFacts tls{"TLSv1.3", "TLS_AES_128_GCM_SHA256", "api.test", "http/1.1", "CN=client"};
    CgiRequest request;
    request.request_method = "POST";
    request.content_length = 3;
    request.headers = &headers;
    request.tls = &tls;
    const char* nothing[] = {nullptr};
    std::vector<std::string> stale;
    for (const auto& variable : build_cgi_environment(request, nothing).variables)
        stale.push_back(variable.substr(0, variable.find('=')) + "=stale");
    std::vector<const char*> inherited;
    for (const auto& variable : stale) inherited.push_back(variable.c_str());
    inherited.push_back(nullptr);
    const auto env = build_cgi_environment(request, inherited.data());
    EXPECT_EQ(env.variables.size(), stale.size());
    for (const auto& variable : env.variables) EXPECT_THAT(variable, Not(::testing::EndsWith("=stale")));
}

// Basic credentials name REMOTE_USER only when they decode to ASCII with one
// colon, and never with a NUL (execve would cut the variable there).
TEST(CgiEnvironment, BasicCredentialsNameTheUserOnlyWhenTheyDecodeCleanly) {
    const auto remote_user = [](const std::string& authorization) -> std::string {
        Headers headers;
        headers.add("Authorization", authorization);
        CgiRequest request;
        request.headers = &headers;
        const char* inherited[] = {"REMOTE_USER=stale", nullptr};
        for (const auto& variable : build_cgi_environment(request, inherited).variables)
            if (variable.rfind("REMOTE_USER=", 0) == 0) return variable.substr(12);
        return "(none)";
    };
    EXPECT_EQ(remote_user("Basic dXNlcjpwYXNz"), "user");            // user:pass
    EXPECT_EQ(remote_user("Basic dXNlcgA6cA=="), "(none)");          // user\0:p, found by the fuzzer
    EXPECT_EQ(remote_user("Basic 6XNlcjpwYXNz"), "(none)");          // a byte over 0x7f, as Python's decode('ascii')
    EXPECT_EQ(remote_user("Basic dXNlcg=="), "(none)");              // no colon
    EXPECT_EQ(remote_user("Basic dTpwOnE="), "(none)");              // u:p:q, two colons
    EXPECT_EQ(remote_user("Bearer dXNlcjpwYXNz"), "(none)");         // not Basic
}

TEST(CgiEnvironment, TlsIsToldAsApacheAndNginxTellIt) {
    Headers headers;
    CgiRequest request;
    request.headers = &headers;
    const char* inherited[] = {"HTTPS=on", "SSL_CIPHER=stale", nullptr};
    const auto plain = build_cgi_environment(request, inherited);
    EXPECT_THAT(plain.variables, Contains("REQUEST_SCHEME=http"));
    EXPECT_THAT(plain.variables, Not(Contains("HTTPS=on")));  // a plain request never looks secure
    EXPECT_THAT(plain.variables, Not(Contains("SSL_CIPHER=stale")));

    const TlsFacts tls{"TLSv1.3", "TLS_AES_128_GCM_SHA256", "api.test", "http/1.1", "CN=client,O=mockserve"};
    request.tls = &tls;
    const auto secure = build_cgi_environment(request, inherited);
    EXPECT_THAT(secure.variables, Contains("HTTPS=on"));
    EXPECT_THAT(secure.variables, Contains("REQUEST_SCHEME=https"));
    EXPECT_THAT(secure.variables, Contains("SSL_PROTOCOL=TLSv1.3"));
    EXPECT_THAT(secure.variables, Contains("SSL_CIPHER=TLS_AES_128_GCM_SHA256"));
    EXPECT_THAT(secure.variables, Contains("SSL_TLS_SNI=api.test"));
    EXPECT_THAT(secure.variables, Contains("SSL_CLIENT_S_DN=CN=client,O=mockserve"));
}

}  // namespace
}  // namespace mockserve::http::detail
