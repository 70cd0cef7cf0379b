#include "cgi_process.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace mockserve::http::detail {

namespace {

// Why the child gave up, written to a close-on-exec pipe that it keeps as
// descriptor 3: the parent reads either this or, once execve succeeded, the
// end of the pipe. (Memory shared through vfork would do under a plain
// build, but sanitizers turn vfork into fork.)
struct ChildFailure {
    int step = 0;  // one of the kStep constants
    int error = 0;
};
constexpr int kStepChangeUser = 1, kStepEnterFolder = 2, kStepExecute = 3;
constexpr int kReportFd = 3;

// What the child needs, prepared before vfork: the child allocates nothing.
struct ChildSetup {
    const char* path;
    char* const* argv;
    char* const* envp;
    const char* working_directory;
    int stdin_fd, stdout_fd, stderr_fd;
    int report_fd;
    bool change_user;
    uid_t uid;
    gid_t gid;
};

[[noreturn]] void give_up(int step, int code) {
    const ChildFailure failure{step, errno};
    [[maybe_unused]] const auto written = ::write(kReportFd, &failure, sizeof failure);
    ::_exit(code);
}

// The pipes are made non-blocking for the parent; the script gets its ends
// blocking, as any program expects its standard streams.
void move_to(int fd, int target) {
    if (fd == target) {
        ::fcntl(fd, F_SETFD, 0);  // keep it across execve
    } else {
        ::dup2(fd, target);
    }
    ::fcntl(target, F_SETFL, 0);
}

[[noreturn]] __attribute__((noinline)) void run_child(const ChildSetup& s) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // execve resets the signals the server catches; of those it ignores,
    // these two are put back (as Python's subprocess does): a script that
    // writes to a closed pipe or past its file size limit must die as usual.
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &defaults, nullptr);
    ::sigaction(SIGXFSZ, &defaults, nullptr);
    ::setpgid(0, 0);
    move_to(s.stdin_fd, 0);
    move_to(s.stdout_fd, 1);
    move_to(s.stderr_fd, 2);
    if (s.report_fd != kReportFd) ::dup2(s.report_fd, kReportFd);
    ::fcntl(kReportFd, F_SETFD, FD_CLOEXEC);  // closed by a successful execve
    if (::syscall(SYS_close_range, kReportFd + 1u, ~0u, 0u) != 0) {
        for (int fd = kReportFd + 1; fd < 65536; ++fd) ::close(fd);
    }
    if (s.change_user && (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setgid, s.gid) != 0 ||
                          ::syscall(SYS_setuid, s.uid) != 0)) {
        give_up(kStepChangeUser, 126);
    }
    if (s.working_directory[0] != '\0' && ::chdir(s.working_directory) != 0) give_up(kStepEnterFolder, 127);
    ::execve(s.path, s.argv, s.envp);
    give_up(kStepExecute, 127);
}

pid_t spawn(const ChildSetup& setup) {
    const pid_t pid = ::vfork();
    if (pid == 0) run_child(setup);
    return pid;
}

// /dev/null, opened once for every script started without input; -1 if
// there is none (a bare chroot), and then the script gets an empty pipe.
int null_device() {
    static const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd;
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
    // A failed step closes what the steps before it opened.
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
    const auto close_all = [&] {
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1], report[0], report[1]})
            if (fd >= 0) ::close(fd);
    };
    const auto make_pipe = [&](int (&ends)[2], int flags) {
        if (::pipe2(ends, flags) == 0) return;
        const int error = errno;
        close_all();
        throw std::system_error(error, std::system_category(), "pipe");
    };
    const int no_input = launch.has_input ? -1 : null_device();
    if (no_input < 0) make_pipe(in, O_CLOEXEC | O_NONBLOCK);
    make_pipe(out, O_CLOEXEC | O_NONBLOCK);
    make_pipe(err, O_CLOEXEC | O_NONBLOCK);
    make_pipe(report, O_CLOEXEC);  // blocking: the parent waits on it for execve (sanitizers make vfork a fork)
    const auto argv = pointers(launch.argv);
    const auto envp = pointers(launch.env);
    const ChildSetup setup{launch.path.c_str(),
                           argv.data(),
                           envp.data(),
                           launch.working_directory.c_str(),
                           no_input >= 0 ? no_input : in[0],
                           out[1],
                           err[1],
                           report[1],
                           launch.run_as.has_value(),
                           launch.run_as ? launch.run_as->first : 0,
                           launch.run_as ? launch.run_as->second : 0};
    const pid_t pid = spawn(setup);
    const int spawn_errno = errno;
    for (int* child_end : {&in[0], &out[1], &err[1], &report[1]})
        if (*child_end >= 0) ::close(std::exchange(*child_end, -1));
    if (pid < 0) {
        close_all();
        throw std::system_error(spawn_errno, std::system_category(), "vfork");
    }
    // The failure report, or the end of the pipe once execve has closed it.
    ChildFailure failure;
    ssize_t got;
    do {
        got = ::read(report[0], &failure, sizeof failure);
    } while (got < 0 && errno == EINTR);
    ::close(std::exchange(report[0], -1));
    if (got == static_cast<ssize_t>(sizeof failure)) {
        // It has exited; reaped here so that the caller has nothing to clean.
        close_all();
        int status = 0;
        ::waitpid(pid, &status, 0);
        throw ScriptLaunchFailed(failure.error, failure.step == kStepChangeUser    ? "change user"
                                                : failure.step == kStepEnterFolder ? "enter its folder"
                                                                                   : "execute");
    }
    script.pid = pid;
    script.stdin_fd = in[1];
    script.stdout_fd = out[0];
    script.stderr_fd = err[0];
}

std::string user_name(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found) return found->pw_name;
    return "uid " + std::to_string(uid);
}

namespace {

// Whether (uid, gid) has `bit` (4 read, 2 write, 1 execute/search) on `st`.
bool permits(const struct stat& st, uid_t uid, gid_t gid, unsigned bit) {
    if (uid == 0) return bit != 1 || (st.st_mode & 0111) != 0 || S_ISDIR(st.st_mode);
    if (st.st_uid == uid) return (st.st_mode >> 6) & bit;
    if (st.st_gid == gid) return (st.st_mode >> 3) & bit;
    return st.st_mode & bit;
}

}  // namespace

std::string first_unsearchable_folder(const std::string& path, uid_t uid, gid_t gid) {
    const std::string with_slash = path.empty() || path.back() != '/' ? path + "/" : path;
    for (auto slash = with_slash.find('/', 1); slash != std::string::npos; slash = with_slash.find('/', slash + 1)) {
        const std::string folder = with_slash.substr(0, slash);
        struct stat st {};
        if (::stat(folder.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !permits(st, uid, gid, 1)) return folder;
    }
    return {};
}

std::string explain_launch_failure(const std::string& file, int error, uid_t uid, gid_t gid, const std::string& user) {
    if (error == EACCES) {
        // The first folder on the way that the user cannot search.
        if (const auto folder = first_unsearchable_folder(file.substr(0, file.rfind('/')), uid, gid); !folder.empty())
            return "its folder " + folder + " is not searchable by " + user;
        struct stat st {};
        if (::stat(file.c_str(), &st) == 0 && !permits(st, uid, gid, 1))
            return "the file is not executable by " + user;
    }
    if (error == ENOENT || error == EACCES) {
        // A script's #! line names an interpreter that is missing, or that
        // the user cannot run.
        const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            char head[256];
            const auto n = ::read(fd, head, sizeof head - 1);
            ::close(fd);
            if (n > 2 && head[0] == '#' && head[1] == '!') {
                std::string line(head + 2, static_cast<std::size_t>(n) - 2);
                line = line.substr(0, line.find('\n'));
                const auto start = line.find_first_not_of(" \t");
                const auto interpreter = start == std::string::npos ? std::string() : line.substr(start, line.find_first_of(" \t\r", start) - start);
                struct stat st {};
                if (!interpreter.empty() && ::stat(interpreter.c_str(), &st) != 0)
                    return "its interpreter " + interpreter + " does not exist";
            }
        }
    }
    return {};
}

std::optional<std::pair<uid_t, gid_t>> user_ids(const std::string& name) {
    passwd entry{};
    passwd* found = nullptr;
    char buffer[4096];
    if (::getpwnam_r(name.c_str(), &entry, buffer, sizeof buffer, &found) == 0 && found)
        return std::pair{found->pw_uid, found->pw_gid};
    return std::nullopt;
}

std::pair<uid_t, gid_t> nobody_ids() {
    // Looked up once: a root server asks for every CGI request.
    static const std::pair<uid_t, gid_t> ids = [] {
        passwd entry{};
        passwd* found = nullptr;
        char buffer[4096];
        if (::getpwnam_r("nobody", &entry, buffer, sizeof buffer, &found) == 0 && found)
            return std::pair{found->pw_uid, found->pw_gid};
        return std::pair<uid_t, gid_t>{65534, 65534};
    }();
    return ids;
}

}  // namespace mockserve::http::detail
