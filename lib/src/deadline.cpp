#include "deadline.hpp"

namespace mockserve::http::detail {

void Deadline::arm(Clock::time_point when) {
    expired_ = false;
    operation_deadline_ = when;
    if (waiting_ && expiry_ <= when) return;  // it wakes early, and then waits on
    wait_until(when, owner_());
}

bool Deadline::disarm() {
    operation_deadline_ = Clock::time_point::max();
    return expired_;
}

void Deadline::wait_until(Clock::time_point expiry, std::shared_ptr<void> owner) {
    waiting_ = true;
    expiry_ = expiry;
    timer_.expires_at(expiry);  // cancels a wait in progress: its handler sees operation_aborted
    timer_.async_wait([this, owner = std::move(owner), expiry](boost::system::error_code ec) mutable {
        if (ec || expiry_ != expiry) return;  // replaced by a nearer deadline, or closing
        waiting_ = false;
        if (operation_deadline_ == Clock::time_point::max()) return;  // nothing pending: stay idle
        if (Clock::now() < operation_deadline_) return wait_until(operation_deadline_, std::move(owner));
        expired_ = true;
        stream_.cancel();
    });
}

}  // namespace mockserve::http::detail
