// mockserve: the command. Its first argument decides the mode: a scenario
// file (anything that is neither a flag nor a port number) runs the scenario;
// otherwise it is the drop-in for `python3 -m http.server`.

#include "command.hpp"

#include <mockserve/version.hpp>

#include <boost/version.hpp>

#include <malloc.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <string_view>

namespace {

bool is_port(std::string_view text) {
    return !text.empty() && text.size() <= 5 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

int main(int argc, char** argv) {
    // Large bodies (uploads, the journal's 1 MiB copies) are mapped and given
    // back to the system when freed. glibc's default raises this threshold
    // after the first large free, and later large buffers then stay in its
    // arenas, fragmented: resident memory grew past the journal's bound under
    // a soak of 4 MiB uploads (ci/soak).
    ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    // The TLS policy is the server's own (TLS 1.2 and 1.3, its ciphers):
    // the system's openssl.cnf has nothing to add to it, and reading it would
    // cost every HTTPS start most of a millisecond. Only the crypto base is
    // set up here, which settles that the file is never read: libssl's own
    // set-up (every cipher and digest named, some 0.8 MiB of code and tables
    // touched) waits for the first TLS context, so that a plain server
    // never pays for it.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    if (argc > 1) {
        const std::string_view first = argv[1];
        if (first == "--version" || first == "-V") {
            std::cout << "mockserve " << mockserve::version << " (Boost " << BOOST_VERSION / 100000 << '.'
                      << BOOST_VERSION / 100 % 1000 << '.' << BOOST_VERSION % 100 << ")\n";
            return 0;
        }
        if (first == "--help" || first == "-h") {
            std::cout << "mockserve has two modes.\n\n"
                         "  mockserve SCENARIO.ini [--journal FILE.jsonl] [--quiet] [--control PORT]\n"
                         "            [--control-bind ADDRESS] [--watch] [-- COMMAND ARGS...]\n"
                         "      Starts the fake servers the scenario file declares, prints one line per\n"
                         "      server (NAME URL) and then 'ready'. With a COMMAND it runs it with\n"
                         "      MOCKSERVE_<NAME>_URL in its environment and stops when it ends; without,\n"
                         "      it serves until Ctrl-C or SIGTERM. Then it writes the journal, checks the\n"
                         "      scenario's expectations and prints the report. Exit code: COMMAND's when it\n"
                         "      failed, else 1 if an expectation failed, else 0; 2 for a scenario with\n"
                         "      mistakes (each printed as FILE:LINE: what is wrong).\n"
                         "      --control PORT serves the control API and the live journal page on\n"
                         "      127.0.0.1:PORT (0: any free port; printed as 'control URL' before\n"
                         "      'ready', MOCKSERVE_CONTROL_URL for COMMAND); --control-bind puts it on\n"
                         "      another address, with a token. --watch reloads the scenario when its file\n"
                         "      (or a file it names) changes.\n"
                         "      Example: mockserve scenarios/rest-api.ini -- ./integration-test.sh\n\n"
                         "  mockserve record --target URL [--port N] [--bind ADDRESS] [--out FILE.ini]\n"
                         "            [--match-headers NAME,...] [--body-dir DIR] [--keep-secrets]\n"
                         "            [--ca-file FILE] [--insecure] [-q]\n"
                         "            [-- COMMAND ARGS...]\n"
                         "      A proxy in front of URL (printed as 'recorded URL', then 'ready'). When it\n"
                         "      stops (Ctrl-C, SIGTERM, or COMMAND's end) it writes what passed through as a\n"
                         "      scenario file (FILE.ini, replaced; recording.ini by default) that replays it:\n"
                         "      a route per distinct request, bodies that are not short text in files under\n"
                         "      DIR. Credentials are written as REDACTED unless --keep-secrets is given.\n"
                         "      Example: mockserve record --target https://staging.example.com --out api.ini\n\n"
                         "  mockserve [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-q] [PORT]\n"
                         "      The drop-in for python3 -m http.server, described below.\n\n"
                         "  mockserve --version\n"
                         "      Prints the version of mockserve (and of the Boost it was built with).\n\n"
                         "  The manual: man mockserve; the scenario format: scenarios/README.md.\n\n";
            return mockserve::cli::run_drop_in(argc, argv);
        }
        if (first == "record") return mockserve::cli::run_record(argc, argv);
        if (!first.empty() && first[0] != '-' && !is_port(first)) return mockserve::cli::run_scenario(argc, argv);
    }
    return mockserve::cli::run_drop_in(argc, argv);
}
