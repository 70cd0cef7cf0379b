#include "socket_io.hpp"

#include <cerrno>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

namespace mockserve::http::detail {

namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK; }

}  // namespace

std::error_code wait_ready(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    while (true) {
        const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (n > 0) return {};
        if (n == 0) return std::make_error_code(std::errc::timed_out);
        if (errno != EINTR) return last_error();
    }
}

std::error_code send_all(int fd, std::string_view data, std::chrono::milliseconds timeout, int flags) {
    while (!data.empty()) {
        const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | flags);
        if (n >= 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
        } else if (would_block()) {
            if (auto ec = wait_ready(fd, POLLOUT, timeout)) return ec;
        } else if (errno != EINTR) {
            return last_error();
        }
    }
    return {};
}

std::error_code send_file(int fd, int file, std::uint64_t offset, std::uint64_t count,
                          std::chrono::milliseconds timeout) {
    auto position = static_cast<off_t>(offset);
    while (count > 0) {
        const auto n = ::sendfile(fd, file, &position, static_cast<std::size_t>(std::min<std::uint64_t>(count, 1 << 30)));
        if (n > 0) {
            count -= static_cast<std::uint64_t>(n);
        } else if (n == 0) {
            return std::make_error_code(std::errc::io_error);  // the file is shorter than it said
        } else if (would_block()) {
            if (auto ec = wait_ready(fd, POLLOUT, timeout)) return ec;
        } else if (errno != EINTR) {
            return last_error();
        }
    }
    return {};
}

std::size_t receive_some(int fd, char* into, std::size_t size, std::chrono::milliseconds timeout,
                         std::error_code& error) {
    error.clear();
    while (true) {
        const auto n = ::recv(fd, into, size, 0);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (would_block()) {
            if ((error = wait_ready(fd, POLLIN, timeout))) return 0;
        } else if (errno != EINTR) {
            error = last_error();
            return 0;
        }
    }
}

}  // namespace mockserve::http::detail
