#include "memory_returner.hpp"

#include <malloc.h>

namespace mockserve::cli {

MemoryReturner::MemoryReturner(std::chrono::milliseconds every)
    : thread_([this, every] {
          std::unique_lock lock(mutex_);
          // Waits for the period or for the destructor, whichever comes first.
          while (!wake_.wait_for(lock, every, [this] { return stopping_; })) ::malloc_trim(0);
      }) {}

MemoryReturner::~MemoryReturner() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

}  // namespace mockserve::cli
