// mockserve: the command.
//
// For now it serves EchoHandler with the command line of `python3 -m
// http.server` (--bind, --protocol, PORT); the scenario runner and the
// file/CGI drop-in mode come next. Differences from Python, kept on purpose:
// it binds 127.0.0.1 unless told otherwise, and speaks HTTP/1.1 by default.

#include "echo_handler.hpp"

#include <mockserve/http_server.hpp>

#include <boost/program_options.hpp>

#include <csignal>
#include <iostream>
#include <pthread.h>

namespace po = boost::program_options;

namespace {

constexpr int kUsageError = 2;

struct Options {
    std::string bind = "127.0.0.1";
    std::string protocol = "HTTP/1.1";
    int port = 8000;
    bool quiet = false;
};

int parse(int argc, char** argv, Options& options) {
    po::options_description visible("Options");
    visible.add_options()
        ("help,h", "show this help and exit")
        ("bind,b", po::value(&options.bind)->value_name("ADDRESS"), "bind to this address (default: 127.0.0.1)")
        ("protocol,p", po::value(&options.protocol)->value_name("VERSION"),
         "the HTTP version to answer with: HTTP/1.0 or HTTP/1.1 (default: HTTP/1.1)")
        ("quiet,q", po::bool_switch(&options.quiet), "do not log requests");
    po::options_description hidden;
    hidden.add_options()("port", po::value(&options.port));
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("port", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "mockserve: " << e.what() << "\n";
        return kUsageError;
    }
    if (vm.count("help")) {
        std::cout << "usage: mockserve [-h] [-b ADDRESS] [-p VERSION] [-q] [PORT]\n\n"
                     "Serves an echo of every request (request line, headers, body size) on PORT\n"
                     "(default 8000; 0 picks a free port), until Ctrl-C or SIGTERM.\n\n"
                  << visible << "\nExample:\n  mockserve 0\n";
        return -1;
    }
    if (options.port < 0 || options.port > 65535) {
        std::cerr << "mockserve: port must be 0-65535, not " << options.port << "\n";
        return kUsageError;
    }
    if (options.protocol != "HTTP/1.0" && options.protocol != "HTTP/1.1") {
        std::cerr << "mockserve: protocol must be HTTP/1.0 or HTTP/1.1, not " << options.protocol << "\n";
        return kUsageError;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    if (const int status = parse(argc, argv, options)) return status < 0 ? 0 : status;

    // SIGINT and SIGTERM are waited for by this thread alone: blocked before
    // any server thread starts, so that every thread inherits the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        using mockserve::http::handler_class;
        mockserve::http::ThreadingHTTPServer server(
            {options.bind, static_cast<std::uint16_t>(options.port)},
            handler_class<mockserve::cli::EchoHandler>(options.protocol));
        if (options.quiet) server.quiet();
        server.start();
        const auto& host = server.server_address.host;
        std::cout << "Serving HTTP on " << host << " port " << server.server_port << " (" << server.url()
                  << "/) ..." << std::endl;
        int signal = 0;
        sigwait(&stop_signals, &signal);
        std::cout << "\nKeyboard interrupt received, exiting." << std::endl;
        server.shutdown();
    } catch (const std::exception& e) {
        std::cerr << "mockserve: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
