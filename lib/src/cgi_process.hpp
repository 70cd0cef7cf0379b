#pragma once
// Starting a CGI script from a threaded server.
//
// fork() would copy the whole server, threads' locks included; the script
// is started with vfork() and execve() instead (what posix_spawn does
// inside), because posix_spawn cannot drop to another user, which Python's
// CGIHTTPRequestHandler does when the server runs as root. Between vfork
// and execve the child only makes system calls: it unblocks and resets its
// signals, starts its own process group, puts the pipes on 0, 1 and 2,
// closes every other descriptor, changes user (raw setgroups/setgid/setuid,
// so that glibc does not try to change the parent's threads too), and
// changes to the script's folder.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mockserve::http::detail {

struct ScriptLaunch {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string working_directory;
    std::optional<std::pair<uid_t, gid_t>> run_as;
};

// The running script: its pid (also its process group) and the parent's
// ends of its pipes, non-blocking and close-on-exec. The destructor closes
// the pipes; reaping is the owner's job.
struct RunningScript {
    pid_t pid = -1;
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
    RunningScript() = default;
    RunningScript(const RunningScript&) = delete;
    RunningScript& operator=(const RunningScript&) = delete;
    ~RunningScript();
    void close_stdin();
};

// Throws std::system_error when the process cannot be started. A script
// that cannot be executed exits 127 (126: the user could not be changed).
void start_script(const ScriptLaunch& launch, RunningScript& script);

// The uid and gid of user "nobody" (65534 if there is none).
std::pair<uid_t, gid_t> nobody_ids();

}  // namespace mockserve::http::detail
