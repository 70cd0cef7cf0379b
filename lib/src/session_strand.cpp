#include "session_strand.hpp"

namespace mockserve::http::detail {

thread_local const SessionQueue* SessionQueue::current_ = nullptr;

bool SessionQueue::enqueue(std::unique_ptr<Task> task) {
    {
        std::lock_guard lock(mutex_);
        waiting_.push_back(std::move(task));
    }
    // Counted after it is pushed: a turn that sees it counted finds it queued.
    return count_.fetch_add(1, std::memory_order_acq_rel) == 0;
}

void SessionQueue::drain(bool& again) {
    Running running(this);
    for (std::size_t n = 0;; ++n) {
        if (n == kBatch) {
            again = true;  // the turn is kept for the next drain
            return;
        }
        // The handler's turn ends as it returns or throws, once it is destroyed.
        struct TurnEnd {
            SessionQueue& queue;
            bool& again;
            ~TurnEnd() { again = queue.end_turn(); }
        };
        {
            TurnEnd end{*this, again};
            std::unique_ptr<Task> task;
            {
                std::lock_guard lock(mutex_);
                task = std::move(waiting_.front());
                waiting_.pop_front();
            }
            task->run();
        }
        if (!again) return;
    }
}

}  // namespace mockserve::http::detail
