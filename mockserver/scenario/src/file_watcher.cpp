#include "file_watcher.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace mockserve::scenario::detail {

FileWatcher::FileWatcher(std::vector<std::string> files, Changed changed) : changed_(std::move(changed)) {
    inotify_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (inotify_ < 0 || wake_ < 0) {
        if (inotify_ >= 0) ::close(inotify_);
        if (wake_ >= 0) ::close(wake_);
        throw std::runtime_error("cannot watch the scenario's files (inotify)");
    }
    watch(std::move(files));
    thread_ = std::thread([this] { run(); });
}

FileWatcher::~FileWatcher() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_, &one, sizeof one);
    thread_.join();
    ::close(inotify_);
    ::close(wake_);
}

void FileWatcher::watch(std::vector<std::string> files) {
    std::set<std::string> folders;
    for (const auto& file : files) folders.insert(std::filesystem::path(file).parent_path().string());
    for (const auto& folder : folders)
        ::inotify_add_watch(inotify_, folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY);
    {
        std::lock_guard hold(mutex_);
        files_ = std::move(files);
    }
    auto now = contents();
    std::lock_guard hold(mutex_);
    baseline_ = std::move(now);
}

std::string FileWatcher::contents() const {
    std::vector<std::string> files;
    {
        std::lock_guard hold(mutex_);
        files = files_;
    }
    std::string all;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        all.append(std::to_string(text.str().size())).append(":").append(text.str());
    }
    return all;
}

void FileWatcher::run() {
    pollfd fds[2] = {{inotify_, POLLIN, 0}, {wake_, POLLIN, 0}};
    bool pending = false;
    while (true) {
        // Waits for a change; with one pending, for kQuiet of silence.
        const int ready = ::poll(fds, 2, pending ? static_cast<int>(kQuiet.count()) : -1);
        if (ready < 0) continue;  // EINTR
        if (fds[1].revents) return;
        if (ready == 0) {
            pending = false;
            auto now = contents();
            bool differs;
            {
                std::lock_guard hold(mutex_);
                differs = now != baseline_;
                if (differs) baseline_ = std::move(now);
            }
            if (differs) watch(changed_());
            continue;
        }
        alignas(inotify_event) char buffer[4096];
        while (::read(inotify_, buffer, sizeof buffer) > 0) {
        }
        pending = true;  // which file does not matter: the contents are compared
    }
}

}  // namespace mockserve::scenario::detail
