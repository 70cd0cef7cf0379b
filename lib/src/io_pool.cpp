#include "io_pool.hpp"

#include <algorithm>

namespace mockserve::http::detail {

namespace {

// The slot of the runner on this thread, and the pool it belongs to.
thread_local const void* current_pool = nullptr;
thread_local std::atomic<std::int64_t>* current_since = nullptr;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// How often an added thread asks itself whether it is still needed.
constexpr std::chrono::seconds kSurplusCheck{2};

}  // namespace

IoPool::IoPool(boost::asio::io_context& context, unsigned base_threads, unsigned max_threads,
               std::chrono::milliseconds blocked_after)
    : context_(context),
      base_threads_(std::max(1u, base_threads)),
      max_threads_(std::max(std::max(1u, base_threads), max_threads)),
      slot_count_(max_threads_ + 1),  // +1: serve_forever's caller may claim one before it counts as running
      blocked_after_(std::max(blocked_after, std::chrono::milliseconds(1))),
      slots_(new Slot[slot_count_]) {}

IoPool::~IoPool() { join(); }

IoPool::Slot* IoPool::claim_slot() {
    for (unsigned i = 0; i < slot_count_; ++i) {
        bool expected = false;
        if (slots_[i].used.compare_exchange_strong(expected, true)) return &slots_[i];
    }
    return nullptr;
}

IoPool::HandlerScope::HandlerScope(IoPool& pool)
    : since_(current_pool == &pool ? current_since : nullptr) {
    if (since_) since_->store(now_ns(), std::memory_order_relaxed);
}

IoPool::HandlerScope::~HandlerScope() {
    if (since_) since_->store(0, std::memory_order_relaxed);
}

bool IoPool::on_pool_thread() const { return current_pool == this; }

void IoPool::run_runner(Slot* slot, bool extra) {
    current_pool = this;
    current_since = &slot->handler_since;
    if (!extra) {
        context_.run();
    } else {
        // An added thread leaves once the threads not blocked in a handler
        // outnumber the base again.
        while (true) {
            context_.run_for(kSurplusCheck);
            if (context_.stopped()) break;
            if (running_.load() - blocked_count(now_ns()) > base_threads_) break;
        }
    }
    current_pool = nullptr;
    current_since = nullptr;
    slot->handler_since.store(0);
    running_.fetch_sub(1);
    slot->used.store(false);
}

void IoPool::spawn(bool extra) {
    Slot* slot = claim_slot();
    if (!slot) return;
    running_.fetch_add(1);
    threads_.emplace_back([this, slot, extra] { run_runner(slot, extra); });
}

void IoPool::start(unsigned threads) {
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < threads; ++i) spawn(false);
    monitor_ = std::thread([this] { monitor(); });
}

void IoPool::run_here() {
    Slot* slot = claim_slot();
    if (!slot) {
        context_.run();
        return;
    }
    running_.fetch_add(1);
    run_runner(slot, false);
}

unsigned IoPool::blocked_count(std::int64_t now) const {
    const auto threshold = std::chrono::nanoseconds(blocked_after_).count();
    unsigned blocked = 0;
    for (unsigned i = 0; i < slot_count_; ++i) {
        const auto since = slots_[i].handler_since.load(std::memory_order_relaxed);
        if (since != 0 && now - since >= threshold) ++blocked;
    }
    return blocked;
}

void IoPool::monitor() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, blocked_after_);
        if (stopping_ || context_.stopped()) break;
        const unsigned running = running_.load();
        const unsigned blocked = blocked_count(now_ns());
        const unsigned free = running > blocked ? running - blocked : 0;
        for (unsigned i = free; i < base_threads_ && running_.load() < max_threads_; ++i) spawn(true);
    }
}

void IoPool::join() {
    std::lock_guard join_lock(join_mutex_);
    // Runners first: while a handler blocks, the monitor must go on adding
    // threads, or a shutdown could wait on the very handler it needs served.
    // Runners end when the io_context runs out of work; the monitor adds
    // none after that.
    while (true) {
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            threads.swap(threads_);
        }
        if (threads.empty()) break;
        for (auto& t : threads)
            if (t.joinable()) t.join();
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (monitor_.joinable()) monitor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace mockserve::http::detail
