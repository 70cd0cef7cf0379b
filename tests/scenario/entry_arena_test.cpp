// Where the journal's entries live: blocks cut one after another from a
// thread's chunk, chunks that grow, large blocks from the heap, a chunk
// unmapped exactly when its last block goes and its thread has moved on,
// whichever thread lets the block go, and emptied 2 MiB chunks kept for
// reuse. Each test cuts in a thread of its own,
// which starts with no chunk.
#include "entry_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

namespace mockserve::scenario::detail {
namespace {

template <typename Body>
void in_a_new_thread(Body&& body) {
    std::thread thread(std::forward<Body>(body));
    thread.join();
}

TEST(EntryArena, CutsAThreadsBlocksOneAfterAnotherAligned) {
    in_a_new_thread([] {
        const auto first = EntryArena::allocate(100);
        const auto second = EntryArena::allocate(1);
        ASSERT_TRUE(first.from_chunk());
        ASSERT_TRUE(second.from_chunk());
        EXPECT_EQ(first.size(), 112u);
        EXPECT_EQ(second.size(), 16u);
        EXPECT_EQ(second.data(), first.data() + 112);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first.data()) % 16, 0u);
    });
}

TEST(EntryArena, GivesALargeBlockFromTheHeap) {
    in_a_new_thread([] {
        const auto before = EntryArena::bytes_in_use();
        const auto large = EntryArena::allocate(EntryArena::kLargestBlock + 1);
        EXPECT_FALSE(large.from_chunk());
        EXPECT_GT(large.size(), EntryArena::kLargestBlock);
        EXPECT_EQ(EntryArena::bytes_in_use(), before);
    });
}

TEST(EntryArena, GrowsAThreadsChunksFrom64KiBTo2MiB) {
    in_a_new_thread([] {
        const auto before = EntryArena::bytes_in_use();
        std::vector<EntryArena::Block> kept;
        std::vector<std::size_t> chunk_sizes;
        auto in_use = before;
        while (chunk_sizes.size() < 7) {
            kept.push_back(EntryArena::allocate(EntryArena::kLargestBlock));
            if (EntryArena::bytes_in_use() != in_use) {
                chunk_sizes.push_back(EntryArena::bytes_in_use() - in_use);
                in_use = EntryArena::bytes_in_use();
            }
        }
        const std::vector<std::size_t> expected{64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20, 2 << 20, 2 << 20};
        EXPECT_EQ(chunk_sizes, expected);
        kept.clear();
        // Every chunk but the current one is gone with its blocks.
        EXPECT_EQ(EntryArena::bytes_in_use(), before + (2 << 20));
    });
}

TEST(EntryArena, KeepsAChunkWhileOneOfItsBlocksLives) {
    in_a_new_thread([] {
        const auto before = EntryArena::bytes_in_use();
        auto survivor = EntryArena::allocate(64);
        std::vector<EntryArena::Block> rest;
        // Fill the first chunk and move on to the next.
        while (EntryArena::bytes_in_use() == before + EntryArena::kFirstChunk)
            rest.push_back(EntryArena::allocate(1024));
        const auto both = EntryArena::bytes_in_use();
        ASSERT_EQ(both, before + 3 * EntryArena::kFirstChunk);
        rest.pop_back();  // the one in the second chunk
        rest.clear();
        EXPECT_EQ(EntryArena::bytes_in_use(), both) << "the survivor still holds the first chunk";
        survivor = EntryArena::Block();
        EXPECT_EQ(EntryArena::bytes_in_use(), both - EntryArena::kFirstChunk);
    });
}

TEST(EntryArena, UnmapsAnEndedThreadsChunkWhenAnotherThreadLetsItsLastBlockGo) {
    const auto before = EntryArena::bytes_in_use();
    EntryArena::Block block;
    in_a_new_thread([&] { block = EntryArena::allocate(64); });
    EXPECT_EQ(EntryArena::bytes_in_use(), before + EntryArena::kFirstChunk) << "the block holds its chunk";
    block = EntryArena::Block();
    EXPECT_EQ(EntryArena::bytes_in_use(), before);
}

TEST(EntryArena, CutsTheNextChunkFromAnEmptied2MiBChunkRatherThanANewMapping) {
    in_a_new_thread([] {
        std::vector<EntryArena::Block> kept;
        // Cuts until the thread moves to a new chunk; returns that chunk's first block.
        const auto cut_to_next_chunk = [&] {
            const auto in_use = EntryArena::bytes_in_use();
            while (EntryArena::bytes_in_use() == in_use) kept.push_back(EntryArena::allocate(EntryArena::kLargestBlock));
            return kept.back().data();
        };
        const char* first_full_size = nullptr;
        for (int chunk = 0; chunk < 6; ++chunk) first_full_size = cut_to_next_chunk();  // 64 KiB ... 2 MiB
        cut_to_next_chunk();  // a second 2 MiB chunk: the first is full, pinned by its blocks only
        // Spare chunks other tests left behind were taken by the two 2 MiB chunks.
        ASSERT_EQ(EntryArena::spare_chunks(), 0u);
        const auto before = EntryArena::bytes_in_use();
        kept.erase(kept.begin(), kept.end() - 1);  // all but the current chunk's block
        EXPECT_EQ(EntryArena::spare_chunks(), 1u) << "the emptied 2 MiB chunk is kept";
        EXPECT_EQ(EntryArena::bytes_in_use(), before - ((64 + 128 + 256 + 512 + 1024 + 2048) << 10))
            << "every chunk but the current one is out of use";
        EXPECT_EQ(cut_to_next_chunk(), first_full_size) << "the next chunk is the kept one, cut from its start";
        EXPECT_EQ(EntryArena::spare_chunks(), 0u);
    });
}

TEST(EntryArena, TakesARawBlockBackByItsAddressAlone) {
    const auto before = EntryArena::bytes_in_use();
    void* small = nullptr;
    void* large = nullptr;
    in_a_new_thread([&] {
        small = EntryArena::allocate_raw(480);
        large = EntryArena::allocate_raw(EntryArena::kLargestBlock + 1);
        std::memset(small, 'x', 480);
        std::memset(large, 'y', EntryArena::kLargestBlock + 1);
    });
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(small) % 16, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large) % 16, 0u);
    EXPECT_EQ(EntryArena::bytes_in_use(), before + EntryArena::kFirstChunk) << "the small block holds its chunk";
    EntryArena::release_raw(large);
    EntryArena::release_raw(small);
    EXPECT_EQ(EntryArena::bytes_in_use(), before);
}

TEST(EntryArena, MovesABlockWithoutCopyingOrFreeingIt) {
    in_a_new_thread([] {
        auto block = EntryArena::allocate(32);
        block.data()[0] = 'x';
        const auto* data = block.data();
        EntryArena::Block moved(std::move(block));
        EXPECT_EQ(moved.data(), data);
        EXPECT_EQ(moved.data()[0], 'x');
        EXPECT_EQ(block.data(), nullptr);
        EXPECT_EQ(block.size(), 0u);
    });
}

}  // namespace
}  // namespace mockserve::scenario::detail
