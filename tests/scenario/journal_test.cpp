// The journal's bookkeeping, without sockets: arrival order (entries from
// several threads included), the body cap, trimming to the memory budget
// (oldest bodies first, then oldest entries, the newest always kept whole),
// and readers that wait while threads record.
#include <mockserve/scenario/journal.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace mockserve::scenario {
namespace {

RecordedRequest request(Journal& journal, std::size_t body_bytes) {
    RecordedRequest r;
    r.sequence = journal.next_sequence();
    r.server = "s";
    r.method = "POST";
    r.target = r.path = "/x";
    r.body = std::string(body_bytes, 'b');
    r.body_size = body_bytes;
    return r;
}

TEST(Journal, KeepsArrivalOrderWhenRequestsFinishOutOfOrder) {
    Journal journal;
    auto first = request(journal, 0);
    auto second = request(journal, 0);
    auto third = request(journal, 0);
    journal.record(std::move(third));
    journal.record(std::move(first));
    journal.record(std::move(second));
    const auto entries = journal.entries();
    ASSERT_EQ(entries.size(), 3u);
    for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].sequence, i + 1);
}

TEST(Journal, KeepsArrivalOrderWhenThreadsRecordInTurn) {
    // Each thread's entries wait in a slot of its own and join in batches;
    // the two threads' numbers interleave, as two I/O lanes' do.
    Journal journal;
    std::vector<RecordedRequest> odd, even;
    for (int i = 0; i < 300; ++i) (i % 2 == 0 ? odd : even).push_back(request(journal, 0));
    std::swap(odd[10], odd[11]);  // and one thread finishes two of its own out of order
    const auto record_all = [&](std::vector<RecordedRequest>& requests) {
        for (auto& r : requests) journal.record(std::move(r));
    };
    std::thread first(record_all, std::ref(odd));
    first.join();  // its last entries still wait in its slot
    std::thread second(record_all, std::ref(even));
    second.join();
    const auto entries = journal.entries();
    ASSERT_EQ(entries.size(), 300u);
    for (std::size_t i = 0; i < entries.size(); ++i) ASSERT_EQ(entries[i].sequence, i + 1);
}

TEST(Journal, AWaitingReaderCountsWhatThreadsRecordAtOnce) {
    Journal journal;
    constexpr int kEach = 500;
    std::vector<RecordedRequest> requests;
    for (int i = 0; i < 2 * kEach; ++i) requests.push_back(request(journal, 0));
    const auto any = [](const RecordedRequest&) { return true; };
    auto waiting = std::async(std::launch::async, [&] { return journal.wait_for(any, 2 * kEach, std::chrono::minutes(1)); });
    const auto record_every_other = [&](int first) {
        for (int i = first; i < 2 * kEach; i += 2) journal.record(std::move(requests[i]));
    };
    std::thread odd(record_every_other, 0), even(record_every_other, 1);
    odd.join();
    even.join();
    EXPECT_TRUE(waiting.get());
    const auto entries = journal.entries();
    ASSERT_EQ(entries.size(), 2u * kEach);
    for (std::size_t i = 0; i < entries.size(); ++i) ASSERT_EQ(entries[i].sequence, i + 1);
}

TEST(Journal, CapsEachBodyAndKeepsItsRealSize) {
    Journal journal({true, 10, 1 << 20});
    journal.record(request(journal, 25));
    const auto entry = journal.entries().at(0);
    EXPECT_EQ(entry.body, std::string(10, 'b'));
    EXPECT_TRUE(entry.body_truncated);
    EXPECT_EQ(entry.body_size, 25u);
}

TEST(Journal, DropsTheOldestBodiesBeforeAnyEntry) {
    // Room for about five entries with their 4 KiB bodies.
    Journal journal({true, 1 << 20, 5 * 4096 + 4 * 1024});
    for (int i = 0; i < 8; ++i) journal.record(request(journal, 4096));
    EXPECT_GT(journal.dropped_bodies(), 0u);
    EXPECT_EQ(journal.dropped_entries(), 0u);  // bodies alone made room
    const auto entries = journal.entries();
    ASSERT_EQ(entries.size(), 8u);
    const auto dropped = static_cast<std::size_t>(journal.dropped_bodies());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].body.empty(), i < dropped) << "entry " << i;  // the oldest ones, in order
        EXPECT_EQ(entries[i].body_truncated, i < dropped) << "entry " << i;
        EXPECT_EQ(entries[i].body_size, 4096u);  // the real size is always known
    }
}

TEST(Journal, ThenDropsTheOldestEntriesAndKeepsTheNewestWhole) {
    Journal journal({true, 1 << 20, 8 * 1024});
    for (int i = 0; i < 200; ++i) journal.record(request(journal, 0));
    EXPECT_GT(journal.dropped_entries(), 0u);
    const auto entries = journal.entries();
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.size() + journal.dropped_entries(), 200u);
    EXPECT_EQ(entries.back().sequence, 200u);
    for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_EQ(entries[i].sequence, entries[i - 1].sequence + 1);

    // An entry larger than the whole budget is still kept, with its body.
    journal.record(request(journal, 64 * 1024));
    const auto last = journal.entries();
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].sequence, 201u);
    EXPECT_EQ(last[0].body.size(), 64u * 1024);
}

TEST(Journal, ClearEmptiesItAndNumbersGoOn) {
    Journal journal;
    journal.record(request(journal, 3));
    journal.clear();
    EXPECT_EQ(journal.size(), 0u);
    journal.record(request(journal, 3));
    EXPECT_EQ(journal.entries().at(0).sequence, 2u);
}

TEST(Journal, EntriesAfterASequenceAreTheNewerOnes) {
    Journal journal;
    for (int i = 0; i < 10; ++i) journal.record(request(journal, 0));
    const auto newer = journal.entries_after(7);
    ASSERT_EQ(newer.size(), 3u);
    EXPECT_EQ(newer.front().sequence, 8u);
    EXPECT_TRUE(journal.entries_after(10).empty());
    EXPECT_EQ(journal.entries_after(0).size(), 10u);
}

TEST(Journal, WaitForCountsEntriesAlreadyThereAndThoseThatCome) {
    Journal journal;
    journal.record(request(journal, 1));
    const auto one_byte = [](const RecordedRequest& r) { return r.body_size == 1; };
    EXPECT_TRUE(journal.wait_for(one_byte, 1, std::chrono::milliseconds(0)));
    EXPECT_FALSE(journal.wait_for(one_byte, 2, std::chrono::milliseconds(0)));
    auto waiting = std::async(std::launch::async, [&] { return journal.wait_for(one_byte, 3, std::chrono::minutes(1)); });
    journal.record(request(journal, 0));  // does not match
    journal.record(request(journal, 1));
    journal.record(request(journal, 1));
    EXPECT_TRUE(waiting.get());
}

TEST(Journal, WaitForStartsAgainAfterAClear) {
    Journal journal;
    journal.record(request(journal, 1));
    journal.clear();
    const auto any = [](const RecordedRequest&) { return true; };
    EXPECT_FALSE(journal.wait_for(any, 1, std::chrono::milliseconds(0)));
    auto waiting = std::async(std::launch::async, [&] { return journal.wait_for(any, 2, std::chrono::minutes(1)); });
    journal.record(request(journal, 0));
    journal.clear();  // the one before no longer counts
    journal.record(request(journal, 0));
    journal.record(request(journal, 0));
    EXPECT_TRUE(waiting.get());
    EXPECT_EQ(journal.size(), 2u);
}

TEST(Journal, JsonHasTheHeadersAsSentAndByLowerCaseName) {
    RecordedRequest r;
    r.sequence = 1;
    r.server = "api";
    r.method = "GET";
    r.target = r.path = "/";
    r.version = "HTTP/1.1";
    r.headers = {{"Host", "a"}, {"X-Id", "1"}, {"Accept", "text/html"}, {"x-id", "2"}};
    const std::string json = Journal::to_json(r);
    EXPECT_NE(json.find(R"("headers":[["Host","a"],["X-Id","1"],["Accept","text/html"],["x-id","2"]])"), std::string::npos)
        << json;
    EXPECT_NE(json.find(R"("headers_by_name":{"host":"a","x-id":"1, 2","accept":"text/html"})"), std::string::npos)
        << json;
}

std::vector<std::uint64_t> sequences(const std::vector<RecordedRequest>& entries) {
    std::vector<std::uint64_t> out;
    for (const auto& e : entries) out.push_back(e.sequence);
    return out;
}

const auto kNow = std::chrono::steady_clock::time_point{};  // long past: no wait
const std::function<bool()> kNever = [] { return false; };

TEST(JournalCursor, BringsEachEntryOnceEvenWhenItFinishedLate) {
    Journal journal;
    auto cursor = journal.cursor();
    auto first = request(journal, 0);
    auto second = request(journal, 0);
    journal.record(std::move(second));
    EXPECT_EQ(sequences(journal.wait_recorded(cursor, kNow, kNever)), std::vector<std::uint64_t>{2});
    // #1 finishes after #2 was read: a cursor by sequence would skip it.
    journal.record(std::move(first));
    EXPECT_EQ(sequences(journal.wait_recorded(cursor, kNow, kNever)), std::vector<std::uint64_t>{1});
    EXPECT_TRUE(journal.wait_recorded(cursor, kNow, kNever).empty());
}

TEST(JournalCursor, SeesOnlyWhatCameAfterAClear) {
    Journal journal;
    auto cursor = journal.cursor();
    journal.record(request(journal, 0));
    journal.clear();
    journal.record(request(journal, 0));
    EXPECT_EQ(sequences(journal.wait_recorded(cursor, kNow, kNever)), std::vector<std::uint64_t>{2});
}

TEST(JournalCursor, ADistantCursorGetsWhatTheJournalStillHolds) {
    Journal journal;
    auto cursor = journal.cursor();
    for (int i = 0; i < 16384 + 10; ++i) journal.record(request(journal, 0));
    const auto entries = journal.wait_recorded(cursor, kNow, kNever);
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.front().sequence, 11u);  // the oldest the ring still names
    EXPECT_EQ(entries.back().sequence, 16394u);
}

TEST(JournalCursor, WakeWaitersEndsAWaitWhoseStopHolds) {
    Journal journal;
    auto cursor = journal.cursor();
    std::atomic<bool> stop{false};
    auto waiting = std::async(std::launch::async, [&] {
        return journal.wait_recorded(cursor, std::chrono::steady_clock::now() + std::chrono::minutes(1),
                                     [&] { return stop.load(); });
    });
    stop = true;
    journal.wake_waiters();
    EXPECT_TRUE(waiting.get().empty());
}

}  // namespace
}  // namespace mockserve::scenario
