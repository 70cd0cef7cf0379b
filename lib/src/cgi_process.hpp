#pragma once
// Starting a CGI script from a threaded server.
//
// fork() would copy the whole server, threads' locks included; the script
// is started with vfork() and execve() instead (what posix_spawn does
// inside), because posix_spawn cannot drop to another user, which Python's
// CGIHTTPRequestHandler does when the server runs as root. Between vfork
// and execve the child only makes system calls: it unblocks its signals,
// puts SIGPIPE and SIGXFSZ back to their default (execve resets the caught
// ones; other ignored signals stay ignored, as under Python's subprocess),
// starts its own process group, puts the pipes on 0, 1 and 2,
// closes every other descriptor, changes user (raw setgroups/setgid/setuid,
// so that glibc does not try to change the parent's threads too), and
// changes to the script's folder.
// If a step fails, it writes the step and errno to a close-on-exec pipe
// before it exits, so that the parent can say why the script did not run.

#include <optional>
#include <string>
#include <system_error>
#include <sys/types.h>
#include <vector>

namespace mockserve::http::detail {

struct ScriptLaunch {
    std::string path;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string working_directory;
    std::optional<std::pair<uid_t, gid_t>> run_as;
    // Without a request body the script reads /dev/null (end of input at
    // once, as from a closed pipe) and no pipe is made for it.
    bool has_input = true;
};

// The running script: its pid (also its process group) and the parent's
// ends of its pipes, non-blocking and close-on-exec (stdin_fd is -1 when
// the launch had no input). The destructor closes
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

// The child got as far as vfork but failed before the script ran: which
// step ("change user", "enter its folder", "execute") and errno's code. The
// child has been reaped.
struct ScriptLaunchFailed : std::system_error {
    ScriptLaunchFailed(int error, std::string step)
        : std::system_error(error, std::system_category(), step), step(std::move(step)) {}
    std::string step;
};

// Throws ScriptLaunchFailed when the script could not be run, and
// std::system_error when no process could be started (pipes, vfork).
void start_script(const ScriptLaunch& launch, RunningScript& script);

// Why `user` (uid, gid) cannot run `file`, as far as permissions tell:
// "its folder /tmp/x is not searchable by nobody", "... not executable by
// nobody", "its interpreter /usr/bin/nope does not exist"; empty when
// nothing is found.
std::string explain_launch_failure(const std::string& file, int error, uid_t uid, gid_t gid, const std::string& user);

// The first folder of `path`'s ancestors and itself that (uid, gid) cannot
// search, or "".
std::string first_unsearchable_folder(const std::string& path, uid_t uid, gid_t gid);

// The name of a uid ("nobody"), or its number.
std::string user_name(uid_t uid);

// The uid and gid of user "nobody" (65534 if there is none).
std::pair<uid_t, gid_t> nobody_ids();
// The uid and gid of a user, or nothing when there is no such user.
std::optional<std::pair<uid_t, gid_t>> user_ids(const std::string& name);

}  // namespace mockserve::http::detail
