#pragma once

#include <csignal>
// The two modes of the mockserve command.

namespace mockserve::cli {

// `mockserve [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-q] [PORT]`:
// the drop-in for python3 -m http.server.
int run_drop_in(int argc, char** argv);
// `mockserve SCENARIO.ini [--journal FILE] [--quiet] [--control PORT] [--control-bind ADDRESS]
// [--watch] [-- COMMAND ARGS...]`.
int run_scenario(int argc, char** argv);
// Blocks SIGINT and SIGTERM (and SIGCHLD) in this thread and every thread it
// starts, so that sigwait() gets them; returns the set.
sigset_t block_stop_signals();

}  // namespace mockserve::cli
