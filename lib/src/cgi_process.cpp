#include "cgi_process.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <system_error>
#include <unistd.h>

namespace mockserve::http::detail {

namespace {

// What the child needs, prepared before vfork: the child allocates nothing.
struct ChildSetup {
    const char* path;
    char* const* argv;
    char* const* envp;
    const char* working_directory;
    int stdin_fd, stdout_fd, stderr_fd;
    bool change_user;
    uid_t uid;
    gid_t gid;
};

void move_to(int fd, int target) {
    if (fd == target) {
        ::fcntl(fd, F_SETFD, 0);  // keep it across execve
    } else {
        ::dup2(fd, target);
    }
}

[[noreturn]] __attribute__((noinline)) void run_child(const ChildSetup& s) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &defaults, nullptr);  // SIGPIPE was ignored
    ::setpgid(0, 0);
    move_to(s.stdin_fd, 0);
    move_to(s.stdout_fd, 1);
    move_to(s.stderr_fd, 2);
    if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0) {
        for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    if (s.change_user && (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setgid, s.gid) != 0 ||
                          ::syscall(SYS_setuid, s.uid) != 0)) {
        ::_exit(126);
    }
    if (s.working_directory[0] != '\0' && ::chdir(s.working_directory) != 0) ::_exit(127);
    ::execve(s.path, s.argv, s.envp);
    ::_exit(127);
}

pid_t spawn(const ChildSetup& setup) {
    const pid_t pid = ::vfork();
    if (pid == 0) run_child(setup);
    return pid;
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

RunningScript::~RunningScript() {
    for (int fd : {stdin_fd, stdout_fd, stderr_fd})
        if (fd >= 0) ::close(fd);
}

void RunningScript::close_stdin() {
    if (stdin_fd >= 0) ::close(stdin_fd);
    stdin_fd = -1;
}

void start_script(const ScriptLaunch& launch, RunningScript& script) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]), ::close(in[1]);
        throw std::system_error(errno, std::system_category(), "pipe");
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
        throw std::system_error(errno, std::system_category(), "pipe");
    }
    const auto argv = pointers(launch.argv);
    const auto envp = pointers(launch.env);
    const ChildSetup setup{launch.path.c_str(),
                           argv.data(),
                           envp.data(),
                           launch.working_directory.c_str(),
                           in[0],
                           out[1],
                           err[1],
                           launch.run_as.has_value(),
                           launch.run_as ? launch.run_as->first : 0,
                           launch.run_as ? launch.run_as->second : 0};
    const pid_t pid = spawn(setup);
    const int spawn_errno = errno;
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(in[1]), ::close(out[0]), ::close(err[0]);
        throw std::system_error(spawn_errno, std::system_category(), "vfork");
    }
    script.pid = pid;
    script.stdin_fd = in[1];
    script.stdout_fd = out[0];
    script.stderr_fd = err[0];
    for (int fd : {in[1], out[0], err[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::pair<uid_t, gid_t> nobody_ids() {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[4096];
    if (::getpwnam_r("nobody", &entry, buffer, sizeof buffer, &found) == 0 && found)
        return {found->pw_uid, found->pw_gid};
    return {65534, 65534};
}

}  // namespace mockserve::http::detail
