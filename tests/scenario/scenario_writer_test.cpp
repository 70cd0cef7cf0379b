// write_ini: a scenario as INI text that loads back to the same scenario
// (what GET /scenario shows for one made in code).
#include "scenario_writer.hpp"

#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_loader.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace mockserve::scenario::detail {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kScenarios = MOCKSERVE_SCENARIOS;
const std::filesystem::path kExamples = MOCKSERVE_EXAMPLES;

// Written, loaded back, written again: the same text, but for the values
// one line cannot hold (the bodies of body files with line breaks), which
// the first writing names in a comment.
void expect_round_trip(const Scenario& scenario, const std::string& what) {
    const auto text = write_ini(scenario);
    const auto again = parse_scenario(text, "written.ini", "/");
    ASSERT_TRUE(again.ok()) << what << ":\n" << text << ::testing::PrintToString(again.errors);
    std::string held;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
        if (line.find("one line of INI cannot hold") == std::string::npos) held += line + "\n";
    EXPECT_EQ(write_ini(*again.scenario), held) << what;
}

TEST(ScenarioWriter, EveryShippedScenarioAndExampleLoadsBackTheSame) {
    for (const auto& folder : {kScenarios, kExamples})
        for (const auto& file : std::filesystem::directory_iterator(folder)) {
            if (file.path().extension() != ".ini") continue;
            auto loaded = load_scenario(file.path());
            ASSERT_TRUE(loaded.ok()) << file.path();
            expect_round_trip(*loaded.scenario, file.path().string());
        }
}

TEST(ScenarioWriter, WritesEveryKeyItWasGiven) {
    ScenarioBuilder builder("all");
    builder.seed(7).unmatched(Unmatched::fail);
    auto& route = builder.server("api").port(8080).route("pay");
    route.request("POST|PUT ~ ^/pay/[0-9]+$").request_query("mode", "fast").request_header("X-Id").times(2)
        .state("cart:full").next_state("cart:paid").response(201).response_reason("Made")
        .response_header("Content-Type", "application/json").response_body(R"({"id": "{{request.path.2}}"})")
        .response_template()
        .response_delay(std::chrono::milliseconds(5), std::chrono::milliseconds(9))
        .response_fault(CannedResponse::Fault::reset, 0.25);
    builder.server("api").route("fill").request("PUT /cart").next_state("cart:full").response(204);
    http::Limits streams;
    streams.max_concurrent_streams = 10;
    streams.max_requests_per_connection = 0;
    builder.server("api").http2().limits(streams);
    builder.expect("api", "paid").request("POST /pay/1").count(">=1");
    const auto text = write_ini(builder.build());
    EXPECT_THAT(text, HasSubstr("[scenario]\nname = all\nunmatched = fail\nseed = 7\n"));
    EXPECT_THAT(text, HasSubstr("[server api]\nport = 8080\nhttp2 = on\nmax_concurrent_streams = 10\n"
                                "max_requests_per_connection = 0\n"));
    EXPECT_THAT(text, HasSubstr("request = POST|PUT ~ ^/pay/[0-9]+$\nrequest.query = mode=fast\nrequest.header = X-Id: *\n"
                                "times = 2\nstate = cart:full\nnext_state = cart:paid\nresponse = 201\n"
                                "response.reason = Made\nresponse.header = Content-Type: application/json\n"
                                "response.template = on\nresponse.body = {\"id\": \"{{request.path.2}}\"}\n"
                                "response.delay = 5ms..9ms\nresponse.fault = reset 25%\n"));
    EXPECT_THAT(text, HasSubstr("[expect api paid]\nrequest = POST /pay/1\ncount = >=1\n"));
    expect_round_trip(builder.build(), "the builder's");
}

TEST(ScenarioWriter, SaysWhatOneLineOfIniCannotHold) {
    ScenarioBuilder builder;
    builder.server("api").route("multi").request("GET /m").response(200).response_body("two\nlines");
    builder.server("api").route("code").request("GET /c").answer_with([](const RecordedRequest&) { return CannedResponse{}; });
    const auto text = write_ini(builder.build());
    EXPECT_THAT(text, HasSubstr("# response.body: 9 bytes that one line of INI cannot hold"));
    EXPECT_THAT(text, HasSubstr("[route api code]\nrequest = GET /c\n# answered by a callback (code), which INI cannot hold\n"));
}

}  // namespace
}  // namespace mockserve::scenario::detail
