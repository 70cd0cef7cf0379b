#pragma once
// EntryArena: where the journal's packed entries live.
//
// A journal only grows until its budget, one small block per request, on
// the servers' I/O threads. From malloc, each block was fresh memory at the
// top of the thread's arena: glibc grew that arena a page at a time (an
// mprotect call every 15 or so requests) and every new page cost a fault;
// together 5 to 9 % of the server's CPU on a canned route. Here a thread
// cuts its blocks one after another from a chunk of its own, mapped with
// its pages already present.
//
// Rules:
// - allocate() is lock-free and thread-safe: each thread cuts from its own
//   current chunk; release() may run on any thread.
// - A chunk is unmapped when every block cut from it is released and its
//   thread has moved on to another chunk (or ended).
// - A thread's chunks start at 64 KiB and double up to 2 MiB, so that a
//   server that records a few requests does not hold megabytes.
// - A block over kLargestBlock comes from the heap (chunk() is null): a
//   large body should not pin a chunk.
// - Blocks are 16-byte aligned; size() is what the block takes, rounded.
// - A raw block (allocate_raw) is a block with a 16-byte header in front,
//   naming its chunk and size, so that its address alone gives it back.
// - A 2 MiB chunk whose blocks have all gone is kept for reuse, up to
//   kSpareChunks of them; any other chunk is unmapped then.
// - The memory held beyond the blocks' own is at most one partly cut chunk
//   per thread that allocated, the spare chunks, and chunks pinned by a
//   block still alive.

#include <cstddef>
#include <utility>

namespace mockserve::scenario::detail {

class EntryArena {
public:
    static constexpr std::size_t kLargestBlock = 16 * 1024;
    static constexpr std::size_t kFirstChunk = 64 * 1024;
    static constexpr std::size_t kLargestChunk = 2 * 1024 * 1024;
    static constexpr std::size_t kSpareChunks = 2;

    struct Chunk;

    // A block of memory and the chunk it was cut from (null: the heap's).
    class Block {
    public:
        // Inline: the journal moves each entry's block a few times on its
        // way in, and the moved-from husk needs no call to be destroyed.
        Block() = default;
        Block(Block&& other) noexcept
            : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
              chunk_(std::exchange(other.chunk_, nullptr)) {}
        Block& operator=(Block&& other) noexcept {
            if (this != &other) {
                if (data_) release();
                data_ = std::exchange(other.data_, nullptr);
                size_ = std::exchange(other.size_, 0);
                chunk_ = std::exchange(other.chunk_, nullptr);
            }
            return *this;
        }
        ~Block() {
            if (data_) release();
        }

        char* data() const { return data_; }
        // What the block costs: its bytes rounded up as cut (or as malloc
        // hands them out, for a heap block).
        std::size_t size() const { return size_; }
        bool from_chunk() const { return chunk_ != nullptr; }

    private:
        friend class EntryArena;
        void release();

        char* data_ = nullptr;
        std::size_t size_ = 0;
        Chunk* chunk_ = nullptr;
    };

    static Block allocate(std::size_t bytes);

    // A block given back by its address alone, as a container's allocator
    // does (ArenaAllocator): the block starts with a header saying where it
    // came from. Its memory is 16-byte aligned.
    static void* allocate_raw(std::size_t bytes);
    static void release_raw(void* data) noexcept;

    // The bytes of the chunks in use: a thread's current chunk, and chunks
    // a block still pins (for tests).
    static std::size_t bytes_in_use();
    // How many emptied 2 MiB chunks are kept for reuse (for tests).
    static std::size_t spare_chunks();
};

// An allocator for the journal's own containers (its deque of entries):
// their memory comes from the arena's chunks rather than from malloc,
// whose heap grows a page at a time at first touch (see entry_arena.cpp).
template <typename T>
struct ArenaAllocator {
    using value_type = T;

    ArenaAllocator() = default;
    template <typename U>
    ArenaAllocator(const ArenaAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(EntryArena::allocate_raw(n * sizeof(T))); }
    void deallocate(T* data, std::size_t) noexcept { EntryArena::release_raw(data); }

    friend bool operator==(const ArenaAllocator&, const ArenaAllocator&) { return true; }
    friend bool operator!=(const ArenaAllocator&, const ArenaAllocator&) { return false; }
};

}  // namespace mockserve::scenario::detail
