#include "tree_containment.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mockserve::http::detail {

namespace {

std::string real_path(const std::string& path) {
    char resolved[PATH_MAX];
    return ::realpath(path.c_str(), resolved) ? std::string(resolved) : std::string();
}

// The realpath() comparison, for what openat2() cannot decide.
bool resolves_inside(const std::string& directory, const std::string& path) {
    const auto root = real_path(directory);
    const auto target = real_path(path);
    if (root.empty() || target.empty()) return false;
    return target == root || (target.size() > root.size() && target.compare(0, root.size(), root) == 0 &&
                              (root.back() == '/' || target[root.size()] == '/'));
}

}  // namespace

TreeContainment::~TreeContainment() {
    if (root_fd_ >= 0) ::close(root_fd_);
}

bool TreeContainment::open_root(const std::string& directory) {
    if (root_fd_ >= 0 && directory == directory_) return true;
    if (root_fd_ >= 0) ::close(root_fd_);
    root_fd_ = ::open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    directory_ = directory;
    return root_fd_ >= 0;
}

bool TreeContainment::contains(const std::string& directory, const std::string& path) {
    const auto opened = open(directory, path, O_PATH | O_CLOEXEC);
    if (opened.fd >= 0) ::close(opened.fd);
    return opened.inside;
}

TreeContainment::Opened TreeContainment::open(const std::string& directory, const std::string& path, int flags) {
    // translate_path() builds DIRECTORY/REST; anything else is decided slowly.
    const bool under = !directory.empty() && path.compare(0, directory.size(), directory) == 0 &&
                       (path.size() == directory.size() || directory.back() == '/' || path[directory.size()] == '/');
    if (!under || !open_root(directory)) return {-1, resolves_inside(directory, path)};
    const auto start = path.find_first_not_of('/', directory.size());
    const std::string rest = start == std::string::npos ? std::string(".") : path.substr(start);
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, root_fd_, rest.c_str(), &how, sizeof how);
    if (fd >= 0) return {static_cast<int>(fd), true};
    if (errno == ENOENT || errno == ENOTDIR) return {-1, false};  // nothing there: as realpath() would say
    return {-1, resolves_inside(directory, path)};  // EXDEV (an absolute link, or one leading out), EACCES, ENOSYS
}

}  // namespace mockserve::http::detail
