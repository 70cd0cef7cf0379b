#pragma once
// TreeContainment: whether a path under a served directory stays inside it
// once symbolic links are resolved. The common case costs one openat2()
// with RESOLVE_BENEATH against a directory handle kept open; only what that
// cannot decide (an absolute link, an older kernel, an error) goes the slow
// way of comparing realpath()s, which reads every component's link.

#include <string>

namespace mockserve::http::detail {

class TreeContainment {
public:
    TreeContainment() = default;
    ~TreeContainment();
    TreeContainment(const TreeContainment&) = delete;
    TreeContainment& operator=(const TreeContainment&) = delete;

    // Whether `path` resolves to `directory` itself or to a place below it.
    bool contains(const std::string& directory, const std::string& path);

    struct Opened {
        int fd = -1;          // open with `flags` when the fast path decided; yours to close
        bool inside = false;  // false: outside the tree, or nothing there
    };
    // contains() that, when it can, also opens what it checked, so that the
    // path is walked once. inside with fd -1: inside, but open it yourself.
    Opened open(const std::string& directory, const std::string& path, int flags);

private:
    bool open_root(const std::string& directory);

    std::string directory_;  // what root_fd_ was opened for
    int root_fd_ = -1;
};

}  // namespace mockserve::http::detail
