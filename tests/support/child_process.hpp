#pragma once
// ChildProcess: runs a program the test built, reads its output line by line
// with bounded waits, signals it by its PID and reaps it.

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mockserve::test_support {

class ChildProcess {
public:
    explicit ChildProcess(std::vector<std::string> argv);
    ~ChildProcess();  // kills (SIGKILL) and reaps a child still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // The next line of standard output (without '\n'), or nothing at end of
    // output or after `wait`.
    std::optional<std::string> read_line(std::chrono::milliseconds wait = std::chrono::seconds(10));
    // The next line of standard error, as read_line() reads standard output.
    std::optional<std::string> read_stderr_line(std::chrono::milliseconds wait = std::chrono::seconds(10));
    // All of standard error so far, and until the child closes it (what
    // read_stderr_line() has read is not in it).
    std::string read_stderr();
    void signal(int number);
    pid_t pid() const { return pid_; }
    // Waits for the exit; the exit code, 128+N for signal N, or nothing after `wait`.
    std::optional<int> wait(std::chrono::milliseconds wait = std::chrono::seconds(10));

private:
    pid_t pid_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    std::string pending_;
    std::string pending_stderr_;
    std::optional<int> status_;
};

}  // namespace mockserve::test_support
