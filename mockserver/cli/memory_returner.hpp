#pragma once
// MemoryReturner: while it lives, a thread gives the memory malloc holds
// free back to the system every few seconds (glibc's malloc_trim).
//
// Why: the journal drops its oldest entries to stay within its budget, and
// the blocks they free lie scattered among live ones in malloc's arenas
// (one per server thread). glibc returns free memory only from the top of
// an arena, so under a mixed load (uploads among small requests) resident
// memory stayed 40-60 MiB above what the journal held (ci/soak). A trim
// walks the arenas and releases every free page. Its cost: up to tens of
// milliseconds on a heap of 100 MiB freed in small pieces (a synthetic
// heap: 30-60 ms), each arena locked while it is walked, so a server thread
// that allocates then may wait once every 5 s (under wrk with a canned route
// no difference showed; see the README's Soak section).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace mockserve::cli {

class MemoryReturner {
public:
    explicit MemoryReturner(std::chrono::milliseconds every = std::chrono::seconds(5));
    ~MemoryReturner();
    MemoryReturner(const MemoryReturner&) = delete;
    MemoryReturner& operator=(const MemoryReturner&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace mockserve::cli
