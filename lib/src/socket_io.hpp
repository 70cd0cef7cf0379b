#pragma once
// Blocking I/O with a deadline, for handler code that reads a large body or
// streams a large response on its own thread. The socket stays in
// non-blocking mode (Asio's async operations share it); each call waits with
// poll() for at most `timeout` without progress.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace mockserve::http::detail {

// Waits until `fd` is ready for `events` (POLLIN, POLLOUT), for at most
// `timeout`; timed_out when it is not.
std::error_code wait_ready(int fd, short events, std::chrono::milliseconds timeout);
// Sends all of `data`, with send(2)'s `flags` besides MSG_NOSIGNAL (MSG_MORE).
// Errors: the peer's, or timed_out.
std::error_code send_all(int fd, std::string_view data, std::chrono::milliseconds timeout, int flags = 0);
// Sends `count` bytes of `file` from `offset` with sendfile(2).
std::error_code send_file(int fd, int file, std::uint64_t offset, std::uint64_t count,
                          std::chrono::milliseconds timeout);
// Reads at least one byte, at most `size`; 0 with no error is end of stream.
std::size_t receive_some(int fd, char* into, std::size_t size, std::chrono::milliseconds timeout,
                         std::error_code& error);

}  // namespace mockserve::http::detail
