// What wrk cannot see from outside: starting and stopping a scenario runner
// in-process, matching a request against 1 and 1,000 routes, and appending
// to the journal from several threads. Built in CI, run by ci/bench.

#include "request_matcher.hpp"

#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace {

using namespace mockserve::scenario;

// `count` exact-path routes; the one every request hits is the last.
Scenario scenario_with_routes(int count) {
    ScenarioBuilder b("bench");
    auto& server = b.server("api");
    for (int i = 0; i + 1 < count; ++i) server.route("filler-" + std::to_string(i)).request("GET /filler/" + std::to_string(i)).response(204);
    server.route("canned").request("GET /canned").response(200).response_body(R"({"id": "pay_1234"})");
    return b.build();
}

// Start: construction binds, listens and serves before it returns.
void BM_RunnerStart(benchmark::State& state) {
    const auto scenario = scenario_with_routes(1);
    for (auto _ : state) {
        auto runner = std::make_unique<ScenarioRunner>(scenario);
        benchmark::DoNotOptimize(runner->port("api"));
        state.PauseTiming();
        runner.reset();
        state.ResumeTiming();
    }
}
BENCHMARK(BM_RunnerStart)->Unit(benchmark::kMicrosecond);

// Stop: every thread joined and the port closed when it returns.
void BM_RunnerStop(benchmark::State& state) {
    const auto scenario = scenario_with_routes(1);
    for (auto _ : state) {
        state.PauseTiming();
        auto runner = std::make_unique<ScenarioRunner>(scenario);
        state.ResumeTiming();
        runner->stop();
        state.PauseTiming();
        runner.reset();
        state.ResumeTiming();
    }
}
BENCHMARK(BM_RunnerStop)->Unit(benchmark::kMicrosecond);

void BM_MatchRoutes(benchmark::State& state) {
    const auto scenario = scenario_with_routes(static_cast<int>(state.range(0)));
    const auto& routes = scenario.servers.front().routes;
    const detail::RouteTable table(routes);
    const std::vector<Field> query;
    const std::vector<Field> headers{{"Host", "127.0.0.1"}, {"Accept", "*/*"}};
    detail::RequestFacts facts;
    facts.method = "GET";
    facts.path = "/canned";
    facts.query = &query;
    facts.headers = &headers;
    for (auto _ : state) benchmark::DoNotOptimize(table.find(facts));
}
BENCHMARK(BM_MatchRoutes)->Arg(1)->Arg(1000);

RecordedRequest sample_request() {
    RecordedRequest r;
    r.server = "api";
    r.route = "canned";
    r.method = "GET";
    r.target = r.path = "/canned";
    r.version = "HTTP/1.1";
    r.headers = {{"Host", "127.0.0.1"}, {"User-Agent", "bench"}, {"Accept", "*/*"}};
    r.client = "127.0.0.1:40000";
    r.status = 200;
    return r;
}

void BM_JournalAppend(benchmark::State& state) {
    static Journal* journal = nullptr;
    if (state.thread_index() == 0) journal = new Journal();
    const auto request = sample_request();
    for (auto _ : state) {
        auto copy = request;
        copy.sequence = journal->next_sequence();
        journal->record(std::move(copy));
    }
    if (state.thread_index() == 0) {
        state.counters["dropped"] = static_cast<double>(journal->dropped_entries());
        delete journal;
    }
}
BENCHMARK(BM_JournalAppend)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
