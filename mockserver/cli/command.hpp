#pragma once
// The modes of the mockserve command, and what they share.

#include <mockserve/scenario/scenario_runner.hpp>

#include <csignal>
#include <string>
#include <vector>

namespace mockserve::cli {

// The exit status of a command line that is wrong (an unknown flag, a bad
// value, a scenario with mistakes).
constexpr int kUsageError = 2;

// `mockserve [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-q] [PORT]`:
// the drop-in for python3 -m http.server.
int run_drop_in(int argc, char** argv);
// `mockserve SCENARIO.ini [--journal FILE] [--quiet] [--control PORT] [--control-bind ADDRESS]
// [--watch] [-- COMMAND ARGS...]`.
int run_scenario(int argc, char** argv);
// `mockserve record --target URL [--port N] [--bind ADDRESS] [--out FILE.ini] [--match-headers NAME,...]
// [--body-dir DIR] [--keep-secrets] [--ca-file FILE] [--insecure] [--quiet] [-- COMMAND ARGS...]`.
int run_record(int argc, char** argv);
// Runs `command` with the runner's servers' URLs (and, with TLS, the files
// a client needs; the control API's URL) in its environment; returns its
// exit code (128+N if killed by signal N). SIGINT and SIGTERM, taken from
// `signals` by sigwait(), are passed on.
int run_command(const std::vector<std::string>& command, const scenario::ScenarioRunner& runner, const sigset_t& signals);
// The request log on standard error, a line at a time from any thread.
http::LogSink standard_error_log();
// Splits argv at "--": what follows is the command (empty when there is
// no "--"); returns where it split, or -1 (after saying why) for a "--"
// with nothing after it.
int split_command(int argc, char** argv, std::vector<std::string>& command);
// Blocks SIGINT and SIGTERM (and SIGCHLD) in this thread and every thread it
// starts, so that sigwait() gets them; returns the set.
sigset_t block_stop_signals();
// Waits for SIGINT or SIGTERM (blocked by block_stop_signals()). SIGCHLD
// stays blocked and is not waited for: each CGI script's exit would
// otherwise wake this thread for nothing.
void wait_for_stop_signal();

}  // namespace mockserve::cli
