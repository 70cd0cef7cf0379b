#pragma once
// Deadline: one timer per session that bounds whatever asynchronous
// operation is pending. When it expires it cancels the stream's operations,
// which then complete with operation_aborted, and expired() says why.
//
// Arming and cancelling an Asio timer for every read and write costs more
// than the read or the write; this timer is instead left running and, when
// it fires early, set again for the deadline of the operation then pending.
// Beast's tcp_stream would close the socket on a timeout, which leaves no
// way to answer 408; this only cancels.

#include "stream.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace mockserve::http::detail {

class Deadline {
public:
    using Clock = std::chrono::steady_clock;

    // `owner` gives what the timer keeps alive while it waits (the session);
    // it is asked only when the timer is set, not at every arm().
    Deadline(Stream& stream, std::function<std::shared_ptr<void>()> owner)
        : stream_(stream), owner_(std::move(owner)), timer_(stream.get_executor()) {}

    // The operation about to start must end by `when`.
    void arm(Clock::time_point when);
    // The operation ended; true if it ended because the deadline passed.
    bool disarm();
    void cancel() { timer_.cancel(); }

private:
    void wait_until(Clock::time_point expiry, std::shared_ptr<void> owner);

    Stream& stream_;
    const std::function<std::shared_ptr<void>()> owner_;
    boost::asio::steady_timer timer_;
    Clock::time_point operation_deadline_ = Clock::time_point::max();  // max(): nothing pending
    Clock::time_point expiry_{};
    bool waiting_ = false;
    bool expired_ = false;
};

}  // namespace mockserve::http::detail
