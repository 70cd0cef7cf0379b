// ControlGuard's rules, word for word, without sockets (the same refusals
// over the wire are in control_api_test.cpp).
#include "control_guard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mockserve::scenario::detail {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

http::Headers headers(std::initializer_list<std::pair<const char*, const char*>> fields) {
    http::Headers h;
    for (const auto& [name, value] : fields) h.add(name, value);
    return h;
}

const ControlGuard kLoopback{8765, ""};
const ControlGuard kWithToken{8765, "s3cret"};

TEST(ControlGuard, ReadsNeedOnlyTheControlAddressAsHost) {
    EXPECT_EQ(kLoopback.refusal("GET", headers({{"Host", "127.0.0.1:8765"}}), {}), std::nullopt);
    EXPECT_EQ(kLoopback.refusal("GET", headers({{"Host", "LocalHost:8765"}}), {}), std::nullopt);
    EXPECT_EQ(kLoopback.refusal("GET", headers({{"Host", "[::1]:8765"}}), {}), std::nullopt);
    EXPECT_THAT(kLoopback.refusal("GET", headers({{"Host", "attacker.example:8765"}}), {}),
                Optional(HasSubstr("Host attacker.example:8765 is not the control address")));
    EXPECT_THAT(kLoopback.refusal("GET", headers({{"Host", "127.0.0.1:8766"}}), {}), Optional(HasSubstr("not the control address")));
    EXPECT_THAT(kLoopback.refusal("GET", headers({{"Host", "127.0.0.1"}}), {}), Optional(HasSubstr("not the control address")));
    EXPECT_THAT(kLoopback.refusal("GET", headers({}), {}), Optional(HasSubstr("one Host field")));
    EXPECT_THAT(kLoopback.refusal("GET", headers({{"Host", "127.0.0.1:8765"}, {"Host", "127.0.0.1:8765"}}), {}),
                Optional(HasSubstr("one Host field")));
}

TEST(ControlGuard, ChangesNeedTheJsonTypeOrTheCustomHeader) {
    const auto host = std::make_pair("Host", "127.0.0.1:8765");
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
        EXPECT_THAT(kLoopback.refusal(method, headers({host}), {}), Optional(HasSubstr("X-Mockserve: 1"))) << method;
        EXPECT_THAT(kLoopback.refusal(method, headers({host, {"Content-Type", "text/plain"}}), {}),
                    Optional(HasSubstr("a plain HTML form cannot send"))) << method;
        EXPECT_EQ(kLoopback.refusal(method, headers({host, {"X-Mockserve", "1"}}), {}), std::nullopt) << method;
        EXPECT_EQ(kLoopback.refusal(method, headers({host, {"Content-Type", "Application/JSON; charset=utf-8"}}), {}),
                  std::nullopt) << method;
    }
    EXPECT_THAT(kLoopback.refusal("POST", headers({host, {"X-Mockserve", "yes"}}), {}), Optional(HasSubstr("X-Mockserve: 1")));
}

TEST(ControlGuard, ChangesFromAnotherOriginAreRefused) {
    const auto host = std::make_pair("Host", "127.0.0.1:8765");
    const auto custom = std::make_pair("X-Mockserve", "1");
    EXPECT_EQ(kLoopback.refusal("POST", headers({host, custom, {"Origin", "http://127.0.0.1:8765"}}), {}), std::nullopt);
    for (const char* origin : {"https://attacker.example", "null", "http://127.0.0.1:9999", "http://localhost:8765",
                               "https://127.0.0.1:8765"})
        EXPECT_THAT(kLoopback.refusal("POST", headers({host, custom, {"Origin", origin}}), {}),
                    Optional(HasSubstr("is not the control page's"))) << origin;
    // A read from another origin is refused by the browser (no CORS headers), not here.
    EXPECT_EQ(kLoopback.refusal("GET", headers({host, {"Origin", "https://attacker.example"}}), {}), std::nullopt);
}

TEST(ControlGuard, ATokenIsRequiredBeyondLoopbackAndAnyNameWithThePortWillDo) {
    const auto host = std::make_pair("Host", "build-box:8765");
    EXPECT_THAT(kWithToken.refusal("GET", headers({host}), {}), Optional(HasSubstr("carries the run's token")));
    EXPECT_THAT(kWithToken.refusal("GET", headers({host, {"Authorization", "Bearer wrong!"}}), {}),
                Optional(HasSubstr("token")));
    EXPECT_THAT(kWithToken.refusal("GET", headers({host}), std::string_view("s3cre")), Optional(HasSubstr("token")));
    EXPECT_EQ(kWithToken.refusal("GET", headers({host, {"Authorization", "Bearer s3cret"}}), {}), std::nullopt);
    EXPECT_EQ(kWithToken.refusal("GET", headers({host}), std::string_view("s3cret")), std::nullopt);
    EXPECT_THAT(kWithToken.refusal("GET", headers({{"Host", "build-box:1"}}), std::string_view("s3cret")),
                Optional(HasSubstr("not the control address")));
}

}  // namespace
}  // namespace mockserve::scenario::detail
