#include "entry_arena.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// Under AddressSanitizer a chunk's uncut bytes and its released blocks are
// poisoned, so that an entry read past its end or after it went is caught
// as with malloc's blocks.
#define MOCKSERVE_POISON(at, size) ASAN_POISON_MEMORY_REGION(at, size)
#define MOCKSERVE_UNPOISON(at, size) ASAN_UNPOISON_MEMORY_REGION(at, size)
#else
#define MOCKSERVE_POISON(at, size) ((void)(at), (void)(size))
#define MOCKSERVE_UNPOISON(at, size) ((void)(at), (void)(size))
#endif

namespace mockserve::scenario::detail {

namespace {

constexpr std::size_t kAlignment = 16;

std::size_t rounded(std::size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

std::atomic<std::size_t> mapped{0};

}  // namespace

// The chunk's header sits at the start of its mapping; blocks follow it.
struct EntryArena::Chunk {
    // Blocks alive, plus one while the chunk is its thread's current one.
    std::atomic<std::size_t> holders{1};
    std::size_t size = 0;  // of the whole mapping
    std::size_t used = 0;  // header included; only the owning thread moves it

    static Chunk* map(std::size_t size) {
        void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_POPULATE_WRITE
        // Its pages made present in one call rather than a fault each (a
        // kernel before 5.14 refuses, and then they fault as usual).
        ::madvise(memory, size, MADV_POPULATE_WRITE);
#endif
        mapped.fetch_add(size, std::memory_order_relaxed);
        auto* chunk = new (memory) Chunk;
        chunk->size = size;
        chunk->used = rounded(sizeof(Chunk));
        MOCKSERVE_POISON(static_cast<char*>(memory) + chunk->used, size - chunk->used);
        return chunk;
    }

    void let_go() {
        if (holders.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        const auto bytes = size;
        this->~Chunk();
        MOCKSERVE_UNPOISON(this, bytes);  // the addresses may be mapped again
        ::munmap(this, bytes);
        mapped.fetch_sub(bytes, std::memory_order_relaxed);
    }
};

namespace {

// The chunk this thread cuts from, and the size of the next one.
struct ThreadChunk {
    EntryArena::Chunk* current = nullptr;
    std::size_t next_size = EntryArena::kFirstChunk;
    ~ThreadChunk() {
        if (current) current->let_go();
    }
};

thread_local ThreadChunk this_thread;

}  // namespace

EntryArena::Block EntryArena::allocate(std::size_t bytes) {
    Block block;
    const auto size = rounded(std::max<std::size_t>(bytes, 1));
    if (size > kLargestBlock) {
        block.data_ = new char[size];
        block.size_ = size + kAlignment;  // malloc's header
        return block;
    }
    auto& mine = this_thread;
    if (!mine.current || mine.current->size - mine.current->used < size) {
        if (mine.current) mine.current->let_go();
        mine.current = nullptr;  // map() may throw
        mine.current = Chunk::map(mine.next_size);
        mine.next_size = std::min(mine.next_size * 2, kLargestChunk);
    }
    auto* chunk = mine.current;
    chunk->holders.fetch_add(1, std::memory_order_relaxed);
    block.data_ = reinterpret_cast<char*>(chunk) + chunk->used;
    MOCKSERVE_UNPOISON(block.data_, bytes);
    block.size_ = size;
    block.chunk_ = chunk;
    chunk->used += size;
    return block;
}

std::size_t EntryArena::mapped_bytes() { return mapped.load(std::memory_order_relaxed); }

EntryArena::Block::Block(Block&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      chunk_(std::exchange(other.chunk_, nullptr)) {}

EntryArena::Block& EntryArena::Block::operator=(Block&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        chunk_ = std::exchange(other.chunk_, nullptr);
    }
    return *this;
}

EntryArena::Block::~Block() { release(); }

void EntryArena::Block::release() {
    if (chunk_) {
        MOCKSERVE_POISON(data_, size_);
        chunk_->let_go();
    } else {
        delete[] data_;
    }
    data_ = nullptr;
    size_ = 0;
    chunk_ = nullptr;
}

}  // namespace mockserve::scenario::detail
