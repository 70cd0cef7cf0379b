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
    watch(std::move(files), {});
    thread_ = std::thread([this] { run(); });
}

FileWatcher::~FileWatcher() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_, &one, sizeof one);
    thread_.join();
    ::close(inotify_);
    ::close(wake_);
}

void FileWatcher::watch(std::vector<std::string> files, Contents known) {
    std::set<std::string> folders;
    for (const auto& file : files) folders.insert(std::filesystem::path(file).parent_path().string());
    for (const auto& folder : folders)
        ::inotify_add_watch(inotify_, folder.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY);
    // A file read before the reload keeps that content as its baseline: read
    // again now, it could already be a newer save, which would then look
    // like nothing changed. Only files the reload newly names are read here.
    Contents baseline;
    for (const auto& file : files) {
        auto it = known.find(file);
        baseline[file] = it != known.end() ? std::move(it->second) : read_file(file);
    }
    std::lock_guard hold(mutex_);
    files_ = std::move(files);
    baseline_ = std::move(baseline);
}

std::string FileWatcher::read_file(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

FileWatcher::Contents FileWatcher::contents() const {
    std::vector<std::string> files;
    {
        std::lock_guard hold(mutex_);
        files = files_;
    }
    Contents all;
    for (const auto& file : files) all[file] = read_file(file);
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
            }
            // `now` was read before the reload reads the files: a save made
            // while it runs differs from it and is reloaded in turn.
            if (differs) watch(changed_(), std::move(now));
            continue;
        }
        alignas(inotify_event) char buffer[4096];
        while (::read(inotify_, buffer, sizeof buffer) > 0) {
        }
        pending = true;  // which file does not matter: the contents are compared
    }
}

}  // namespace mockserve::scenario::detail
