#include "support/raw_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace mockserve::test_support {

namespace {

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

}  // namespace

std::optional<std::string> RawResponse::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequal(n, name)) return v;
    return std::nullopt;
}

std::size_t RawResponse::header_count(std::string_view name) const {
    std::size_t count = 0;
    for (const auto& field : headers)
        if (iequal(field.first, name)) ++count;
    return count;
}

RawClient::RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
    if (fd_ >= 0) ::close(fd_);
}

void RawClient::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // the server may have closed already; reading will tell
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void RawClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool RawClient::fill(std::size_t size) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    char chunk[16 * 1024];
    while (buffer_.size() < size) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return true;
}

bool RawClient::fill_until(std::string_view marker, std::size_t& position) {
    while (true) {
        position = buffer_.find(marker);
        if (position != std::string::npos) return true;
        if (!fill(buffer_.size() + 1)) return false;
    }
}

std::optional<RawResponse> RawClient::read_response(bool head_request) {
    // The head ends at the first empty line; lines may end in CRLF or, as in
    // Python's CGI responses, a bare LF.
    std::size_t end = 0, body_start = 0;
    while (true) {
        const auto lf_lf = buffer_.find("\n\n");
        const auto lf_crlf = buffer_.find("\n\r\n");
        if (lf_lf != std::string::npos || lf_crlf != std::string::npos) {
            if (lf_crlf == std::string::npos || (lf_lf != std::string::npos && lf_lf < lf_crlf)) {
                end = lf_lf;
                body_start = lf_lf + 2;
            } else {
                end = lf_crlf;
                body_start = lf_crlf + 3;
            }
            break;
        }
        if (!fill(buffer_.size() + 1)) {
            ADD_FAILURE() << "no complete response head; received: " << buffer_;
            return std::nullopt;
        }
    }
    RawResponse response;
    const std::string head = buffer_.substr(0, end + 1);
    buffer_.erase(0, body_start);
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < head.size();) {
        auto next = head.find('\n', pos);
        std::string line = head.substr(pos, next - pos);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
        pos = next + 1;
    }
    const std::string& status_line = lines.front();
    const auto sp1 = status_line.find(' ');
    const auto sp2 = status_line.find(' ', sp1 + 1);
    response.version = status_line.substr(0, sp1);
    response.status = std::stoi(status_line.substr(sp1 + 1, sp2 - sp1 - 1));
    response.reason = sp2 == std::string::npos ? "" : status_line.substr(sp2 + 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto colon = lines[i].find(':');
        std::string value = lines[i].substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        response.headers.emplace_back(lines[i].substr(0, colon), value);
    }
    if (head_request || response.status < 200 || response.status == 204 || response.status == 304) return response;

    if (const auto te = response.header("Transfer-Encoding"); te && iequal(*te, "chunked")) {
        response.chunked = true;
        while (true) {
            std::size_t eol = 0;
            if (!fill_until("\r\n", eol)) return std::nullopt;
            const auto size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
            buffer_.erase(0, eol + 2);
            if (!fill(size + 2)) return std::nullopt;
            if (size == 0) {
                buffer_.erase(0, 2);
                break;
            }
            response.body.append(buffer_, 0, size);
            buffer_.erase(0, size + 2);
        }
    } else if (const auto length = response.header("Content-Length")) {
        const auto size = std::stoul(*length);
        if (!fill(size)) {
            ADD_FAILURE() << "body shorter than Content-Length " << size;
            return std::nullopt;
        }
        response.body = buffer_.substr(0, size);
        buffer_.erase(0, size);
    } else {
        response.body = buffer_ + read_to_close();
        buffer_.clear();
    }
    return response;
}

std::string RawClient::read_until(std::string_view marker) {
    std::size_t at = 0;
    if (!fill_until(marker, at)) {
        ADD_FAILURE() << "'" << marker << "' did not come; received: " << buffer_;
        return std::exchange(buffer_, {});
    }
    std::string out = buffer_.substr(0, at + marker.size());
    buffer_.erase(0, at + marker.size());
    return out;
}

std::string RawClient::read_to_close(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::string out;
    out.swap(buffer_);
    char chunk[16 * 1024];
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        out.append(chunk, static_cast<std::size_t>(n));
    }
    return out;
}

bool RawClient::closed_by_server(std::chrono::milliseconds wait) {
    if (!buffer_.empty()) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char c;
    const auto n = ::recv(fd_, &c, 1, 0);
    if (n > 0) buffer_.push_back(c);
    return n <= 0;
}

std::optional<RawResponse> exchange(std::uint16_t port, std::string_view request, bool head_request) {
    RawClient client(port);
    client.send(request);
    return client.read_response(head_request);
}

}  // namespace mockserve::test_support
