// What wrk cannot see from outside: starting and stopping a scenario runner
// in-process, matching a request against 1 and 1,000 routes, appending to
// the journal from several threads, and how reading the journal grows with
// its size (10,000 to 1,000,000 entries). Built in CI, run by ci/bench.

#include "entry_arena.hpp"
#include "request_matcher.hpp"

#include <mockserve/scenario/journal.hpp>
#include <mockserve/scenario/scenario_builder.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <map>
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

// A journal of `entries` requests (budget large enough to keep them all),
// made once per size and kept for the benchmarks that read it, with the
// memory it took per entry: the heap's and the entry chunks' (in use, not
// malloc's).
struct FullJournal {
    std::unique_ptr<Journal> journal;
    double bytes_per_entry = 0;
};

const FullJournal& full_journal(std::int64_t entries) {
    static std::map<std::int64_t, FullJournal> made;
    auto& full = made[entries];
    if (full.journal) return full;
    using mockserve::scenario::detail::EntryArena;
    const auto held = [] { return mallinfo2().uordblks + EntryArena::bytes_in_use(); };
    const auto before = held();
    full.journal = std::make_unique<Journal>(JournalLimits{true, 1024 * 1024, std::size_t{4} << 30});
    auto request = sample_request();
    for (std::int64_t i = 0; i < entries; ++i) {
        request.sequence = full.journal->next_sequence();
        request.client = "127.0.0.1:" + std::to_string(40000 + i % 20000);
        full.journal->record(request);
    }
    full.bytes_per_entry = static_cast<double>(held() - before) / static_cast<double>(entries);
    return full;
}

// Every entry, as requests() and GET /requests read them: linear.
void BM_JournalReadAll(benchmark::State& state) {
    const auto& full = full_journal(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(full.journal->entries());
    state.counters["bytes_per_entry"] = full.bytes_per_entry;
}
BENCHMARK(BM_JournalReadAll)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The newest ten (GET /requests?since=SEQ): the old entries are not read.
void BM_JournalReadNewest(benchmark::State& state) {
    const auto& full = full_journal(state.range(0));
    const auto since = static_cast<std::uint64_t>(state.range(0)) - 10;
    for (auto _ : state) benchmark::DoNotOptimize(full.journal->entries_after(since));
}
BENCHMARK(BM_JournalReadNewest)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// WaitForRequest for a request that is already there (the newest): each
// entry is read once.
void BM_JournalWaitForNewest(benchmark::State& state) {
    const auto& full = full_journal(state.range(0));
    const auto newest = static_cast<std::uint64_t>(state.range(0));
    for (auto _ : state)
        benchmark::DoNotOptimize(full.journal->wait_for(
            [&](const RecordedRequest& r) { return r.sequence == newest; }, 1, std::chrono::milliseconds(0)));
}
BENCHMARK(BM_JournalWaitForNewest)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
