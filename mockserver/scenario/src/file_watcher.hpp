#pragma once
// FileWatcher: calls back when one of a few files changes, for --watch.
//
// It watches the files' folders with inotify, not the files: an editor
// that saves by writing a new file and renaming it over the old one
// replaces the file a direct watch would follow. Bursts of changes (a
// save is often several writes, or a write and a rename) are taken as
// one: the callback comes once the folders have been quiet for
// kQuiet, and only when some file's content differs from what it was at
// the last callback (an editor that touches a file without changing it
// reloads nothing). The callback runs on the watcher's own thread and
// returns the files to watch from then on (a reload can name others).

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mockserve::scenario::detail {

class FileWatcher {
public:
    static constexpr std::chrono::milliseconds kQuiet{100};

    // Throws std::runtime_error when inotify is not available.
    using Changed = std::function<std::vector<std::string>()>;
    FileWatcher(std::vector<std::string> files, Changed changed);
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

private:
    using Contents = std::map<std::string, std::string>;  // file -> bytes
    // Watches these files from now on; their baseline is their content in
    // `known`, or read now for a file not in it.
    void watch(std::vector<std::string> files, Contents known);
    void run();
    Contents contents() const;  // every watched file's bytes, for comparing
    static std::string read_file(const std::string& file);

    Changed changed_;
    mutable std::mutex mutex_;
    std::vector<std::string> files_;
    Contents baseline_;
    int inotify_ = -1;
    int wake_ = -1;  // an eventfd that ends run()
    std::thread thread_;
};

}  // namespace mockserve::scenario::detail
