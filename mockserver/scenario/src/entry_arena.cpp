#include "entry_arena.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <cstdint>
#include <mutex>
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

std::atomic<std::size_t> in_use{0};  // the bytes of the chunks not spare

// Full-size chunks whose blocks have all gone, kept for the next chunk a
// thread needs. A full journal drops its oldest entries as fast as it
// records new ones, so chunks empty at the rate new ones are needed: kept,
// a chunk's pages stay mapped and warm, where a new mapping costs faults
// and zeroing, and unmapping interrupts the process's other cores to flush
// their TLBs. Trivially destructible, so usable until the process ends.
struct SpareChunks {
    std::mutex mutex;
    std::array<EntryArena::Chunk*, EntryArena::kSpareChunks> chunks{};
    std::size_t count = 0;
};
SpareChunks spares;

void* map_pages(std::size_t size) {
    void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    return memory;
}

// `size` bytes (a huge page's, 2 MiB on x86-64) at an address aligned to
// them, offered to the kernel as one huge page (transparent huge pages in
// "madvise" mode, Debian's default; elsewhere small pages, as before). One
// page, one fault, one TLB entry. With 4 KiB pages, the first write to each
// page of a new chunk stalled (in the hypervisor, on the paravirtual
// machine our benchmarks run on) even after the kernel had populated it:
// 0.5 µs per recorded request, 7 % of the server's user time on the canned
// route, against 0.06 µs with the huge page (perf, wrk at 64 connections).
void* map_huge_page(std::size_t size) {
    auto* wide = static_cast<char*>(map_pages(2 * size));
    const auto address = reinterpret_cast<std::uintptr_t>(wide);
    const auto head = (size - address % size) % size;  // bytes before the first aligned address
    if (head > 0) ::munmap(wide, head);
    ::munmap(wide + head + size, size - head);
    char* memory = wide + head;
#ifdef MADV_HUGEPAGE
    ::madvise(memory, size, MADV_HUGEPAGE);
#endif
    return memory;
}

}  // namespace

// The chunk's header sits at the start of its mapping; blocks follow it.
struct EntryArena::Chunk {
    // Blocks alive, plus one while the chunk is its thread's current one.
    std::atomic<std::size_t> holders{1};
    std::size_t size = 0;  // of the whole mapping
    std::size_t used = 0;  // header included; only the owning thread moves it

    // A spare chunk when `size` is the largest and one is kept, else a new mapping.
    static Chunk* take(std::size_t size) {
        Chunk* chunk = nullptr;
        if (size == kLargestChunk) {
            std::lock_guard lock(spares.mutex);
            if (spares.count > 0) chunk = spares.chunks[--spares.count];
        }
        if (chunk == nullptr) chunk = map(size);  // may throw: counted only once it exists
        in_use.fetch_add(size, std::memory_order_relaxed);
        return chunk;
    }

    static Chunk* map(std::size_t size) {
        void* memory = size == kLargestChunk ? map_huge_page(size) : map_pages(size);
#ifdef MADV_POPULATE_WRITE
        // Its pages made present in one call rather than a fault each (a
        // kernel before 5.14 refuses, and then they fault as usual).
        ::madvise(memory, size, MADV_POPULATE_WRITE);
#endif
        auto* chunk = new (memory) Chunk;
        chunk->size = size;
        chunk->used = rounded(sizeof(Chunk));
        MOCKSERVE_POISON(static_cast<char*>(memory) + chunk->used, size - chunk->used);
        return chunk;
    }

    void let_go() {
        if (holders.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
        in_use.fetch_sub(size, std::memory_order_relaxed);
        if (size == kLargestChunk) {
            std::lock_guard lock(spares.mutex);
            if (spares.count < spares.chunks.size()) {
                holders.store(1, std::memory_order_relaxed);  // its next thread's
                used = rounded(sizeof(Chunk));
                MOCKSERVE_POISON(reinterpret_cast<char*>(this) + used, size - used);
                spares.chunks[spares.count++] = this;
                return;
            }
        }
        const auto bytes = size;
        this->~Chunk();
        MOCKSERVE_UNPOISON(this, bytes);  // the addresses may be mapped again
        ::munmap(this, bytes);
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
        mine.current = Chunk::take(mine.next_size);
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

namespace {

// In front of a raw block: where its memory came from.
struct RawHeader {
    EntryArena::Chunk* chunk;
    std::size_t size;
};
static_assert(sizeof(RawHeader) <= kAlignment);

}  // namespace

void* EntryArena::allocate_raw(std::size_t bytes) {
    auto block = allocate(bytes + kAlignment);
    const RawHeader header{block.chunk_, block.size_};
    std::memcpy(block.data_, &header, sizeof header);
    char* data = block.data_ + kAlignment;
    block.data_ = nullptr;  // released by release_raw()
    block.chunk_ = nullptr;
    return data;
}

void EntryArena::release_raw(void* data) noexcept {
    Block block;
    block.data_ = static_cast<char*>(data) - kAlignment;
    RawHeader header;
    std::memcpy(&header, block.data_, sizeof header);
    block.chunk_ = header.chunk;
    block.size_ = header.size;
}  // `block` releases it

std::size_t EntryArena::bytes_in_use() { return in_use.load(std::memory_order_relaxed); }

std::size_t EntryArena::spare_chunks() {
    std::lock_guard lock(spares.mutex);
    return spares.count;
}

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
