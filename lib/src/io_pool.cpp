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

IoPool::IoPool(boost::asio::io_context& main, unsigned base_threads, unsigned max_threads,
               std::chrono::milliseconds blocked_after)
    : main_(main),
      max_threads_(std::max(std::max(1u, base_threads), max_threads)),
      slot_count_(max_threads_ + 1),  // +1: serve_forever's caller may claim one before it counts as running
      blocked_after_(std::max(blocked_after, std::chrono::milliseconds(1))),
      slots_(new Slot[slot_count_]) {
    lanes_.push_back(&main_);
    for (unsigned i = 1; i < std::max(1u, base_threads); ++i) {
        own_lanes_.push_back(std::make_unique<boost::asio::io_context>());
        lanes_.push_back(own_lanes_.back().get());
    }
}

IoPool::~IoPool() {
    release_work();
    join();
}

boost::asio::io_context& IoPool::next_lane() {
    if (lanes_.size() == 1) return main_;
    return *lanes_[next_lane_.fetch_add(1, std::memory_order_relaxed) % lanes_.size()];
}

IoPool::Slot* IoPool::claim_slot(unsigned lane) {
    for (unsigned i = 0; i < slot_count_; ++i) {
        unsigned expected = kNoLane;
        if (slots_[i].lane.compare_exchange_strong(expected, lane)) return &slots_[i];
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
    const unsigned lane = slot->lane.load();
    auto& context = *lanes_[lane];
    if (!extra) {
        context.run();
    } else {
        // An added thread leaves once its lane has a free thread besides it.
        while (true) {
            context.run_for(kSurplusCheck);
            if (context.stopped()) break;
            const auto now = count(lane, now_ns());
            if (now.running - now.blocked > 1) break;
        }
    }
    current_pool = nullptr;
    current_since = nullptr;
    slot->handler_since.store(0);
    running_.fetch_sub(1);
    slot->lane.store(kNoLane);
}

void IoPool::spawn(unsigned lane, bool extra) {
    Slot* slot = claim_slot(lane);
    if (!slot) return;
    running_.fetch_add(1);
    threads_.emplace_back([this, slot, extra] { run_runner(slot, extra); });
}

void IoPool::start(bool caller_runs_main) {
    std::lock_guard lock(mutex_);
    work_.clear();
    for (auto* lane : lanes_) work_.emplace_back(boost::asio::make_work_guard(*lane));
    for (unsigned lane = caller_runs_main ? 1 : 0; lane < lanes_.size(); ++lane) spawn(lane, false);
    monitor_ = std::thread([this] { monitor(); });
}

void IoPool::run_here() {
    Slot* slot = claim_slot(0);
    if (!slot) {
        main_.run();
        return;
    }
    running_.fetch_add(1);
    run_runner(slot, false);
}

void IoPool::release_work() {
    std::lock_guard lock(mutex_);
    work_.clear();
}

IoPool::LaneCount IoPool::count(unsigned lane, std::int64_t now) const {
    const auto threshold = std::chrono::nanoseconds(blocked_after_).count();
    LaneCount c;
    for (unsigned i = 0; i < slot_count_; ++i) {
        if (slots_[i].lane.load(std::memory_order_relaxed) != lane) continue;
        ++c.running;
        const auto since = slots_[i].handler_since.load(std::memory_order_relaxed);
        if (since != 0 && now - since >= threshold) ++c.blocked;
    }
    return c;
}

void IoPool::monitor() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, blocked_after_);
        if (stopping_) break;
        const auto now = now_ns();
        for (unsigned lane = 0; lane < lanes_.size(); ++lane) {
            const auto c = count(lane, now);
            // Every thread of the lane is in a handler that has run long:
            // the lane's other connections need one more.
            if (c.blocked > 0 && c.blocked >= c.running && running_.load() < max_threads_) spawn(lane, true);
        }
    }
}

void IoPool::join() {
    std::lock_guard join_lock(join_mutex_);
    // Runners first: while a handler blocks, the monitor must go on adding
    // threads, or a shutdown could wait on the very handler it needs served.
    // Runners end when their lane runs out of work; the monitor adds none
    // after that.
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
