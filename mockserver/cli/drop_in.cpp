// The drop-in mode: `python3 -m http.server` with the same
// flags (--bind, --directory, --cgi, --protocol, PORT), Python's banner and
// request log, SimpleHTTPRequestHandler or CGIHTTPRequestHandler. Two
// differences, kept on purpose: it binds 127.0.0.1 unless told otherwise
// (Python binds every interface), and answers HTTP/1.1 (Python HTTP/1.0).
// Python 3.14's --tls-cert, --tls-key and --tls-password-file serve HTTPS.

#include "command.hpp"

#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/https_server.hpp>
#include <mockserve/simple_http_request_handler.hpp>

#include <boost/program_options.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <pthread.h>

namespace po = boost::program_options;

namespace {

using mockserve::cli::kUsageError;

struct Options {
    std::string bind = "127.0.0.1";
    std::string directory;
    std::string protocol = "HTTP/1.1";
    int port = 8000;
    bool cgi = false;
    bool quiet = false;
    bool http2 = false;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_password_file;
};

void print_help(const po::options_description& visible) {
    std::cout << "usage: mockserve [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [-q] [--http2]\n"
                 "                 [--tls-cert FILE [--tls-key FILE] [--tls-password-file FILE]] [PORT]\n\n"
                 "Serves DIRECTORY over HTTP on PORT, as `python3 -m http.server` does: files,\n"
                 "directory listings, and with --cgi the CGI scripts in /cgi-bin and /htbin.\n"
                 "With --tls-cert it serves HTTPS (TLS 1.2 and 1.3), as Python 3.14 does.\n"
                 "PORT defaults to 8000; 0 picks a free port, printed in the first line.\n"
                 "Stops on Ctrl-C or SIGTERM.\n\n"
              << visible
              << "\nUnlike Python: binds 127.0.0.1 unless --bind says otherwise, and answers\n"
                 "HTTP/1.1 unless --protocol says otherwise.\n\n"
                 "Example:\n  mockserve --cgi --directory fixtures 0\n";
}

// 0: go on; -1: done (help shown); otherwise the exit code.
int parse(int argc, char** argv, Options& options) {
    po::options_description visible("Options");
    visible.add_options()
        ("help,h", "show this help and exit")
        ("cgi", po::bool_switch(&options.cgi), "run CGI scripts found in /cgi-bin and /htbin")
        ("bind,b", po::value(&options.bind)->value_name("ADDRESS"),
         "bind to this address (default: 127.0.0.1; 0.0.0.0 or :: for all interfaces)")
        ("directory,d", po::value(&options.directory)->value_name("DIRECTORY"),
         "serve this directory (default: the current directory)")
        ("protocol,p", po::value(&options.protocol)->value_name("VERSION"),
         "answer with this HTTP version: HTTP/1.0 or HTTP/1.1 (default: HTTP/1.1)")
        ("quiet,q", po::bool_switch(&options.quiet), "do not log requests")
        ("http2", po::bool_switch(&options.http2),
         "speak HTTP/2 too: h2c (prior knowledge or Upgrade), or h2 by ALPN with --tls-cert")
        ("tls-cert", po::value(&options.tls_cert)->value_name("FILE"),
         "serve HTTPS with this PEM certificate chain (and its key, unless --tls-key)")
        ("tls-key", po::value(&options.tls_key)->value_name("FILE"), "the PEM private key of --tls-cert")
        ("tls-password-file", po::value(&options.tls_password_file)->value_name("FILE"),
         "a file holding the password of an encrypted key (white space around it ignored)");
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
        print_help(visible);
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
    if (options.tls_cert.empty() && (!options.tls_key.empty() || !options.tls_password_file.empty())) {
        std::cerr << "mockserve: --tls-key and --tls-password-file need --tls-cert\n";
        return kUsageError;
    }
    std::error_code ec;
    if (options.directory.empty()) options.directory = std::filesystem::current_path().string();
    if (!std::filesystem::is_directory(options.directory, ec)) {
        std::cerr << "mockserve: not a directory: " << options.directory << "\n";
        return kUsageError;
    }
    options.directory = std::filesystem::absolute(options.directory).lexically_normal().string();
    return 0;
}

mockserve::http::HandlerFactory handler_for(const Options& options) {
    using namespace mockserve::http;
    if (options.cgi) {
        return [directory = options.directory, protocol = options.protocol] {
            auto handler = std::make_unique<CGIHTTPRequestHandler>(directory);
            handler->protocol_version = protocol;
            return handler;
        };
    }
    return [directory = options.directory, protocol = options.protocol] {
        auto handler = std::make_unique<SimpleHTTPRequestHandler>(directory);
        handler->protocol_version = protocol;
        return handler;
    };
}

std::unique_ptr<mockserve::http::HTTPServer> make_server(const Options& options) {
    using namespace mockserve::http;
    const Address address{options.bind, static_cast<std::uint16_t>(options.port)};
    if (options.tls_cert.empty()) return std::make_unique<ThreadingHTTPServer>(address, handler_for(options));
    TlsOptions tls;
    tls.certfile = options.tls_cert;
    tls.keyfile = options.tls_key;
    if (!options.tls_password_file.empty()) tls.password = read_password_file(options.tls_password_file);
    return std::make_unique<ThreadingHTTPSServer>(address, handler_for(options), tls);
}

}  // namespace

namespace mockserve::cli {

sigset_t block_stop_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

void wait_for_stop_signal() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    int signal = 0;
    sigwait(&stop, &signal);
}

int run_drop_in(int argc, char** argv) {
    Options options;
    if (const int status = parse(argc, argv, options)) return status < 0 ? 0 : status;
    // Blocked before any server thread starts, so that every thread
    // inherits the mask and only sigwait() sees the signals.
    block_stop_signals();

    try {
        const auto server = make_server(options);
        if (options.quiet) server->quiet();
        server->enable_http2(options.http2);
        server->start();
        std::cout << "Serving " << (options.tls_cert.empty() ? "HTTP" : "HTTPS") << " on "
                  << server->server_address.host << " port " << server->server_port << " (" << server->url()
                  << "/) ..." << std::endl;
        wait_for_stop_signal();
        std::cout << "\nKeyboard interrupt received, exiting." << std::endl;
        server->shutdown();
    } catch (const std::exception& e) {
        std::cerr << "mockserve: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace mockserve::cli
