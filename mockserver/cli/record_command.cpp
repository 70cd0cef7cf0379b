// The recording mode: `mockserve record --target URL [--port N] [--bind ADDRESS] [--out FILE.ini]
// [--match-headers NAME,...] [--body-dir DIR] [--keep-secrets] [--ca-file FILE]
// [--insecure] [--quiet] [-- COMMAND ARGS...]`: a proxy in front of the
// target that, when it stops, writes what passed through as a scenario file
// (mockserver/scenario/src/recording_writer.hpp has the rules).

#include "command.hpp"

#include <mockserve/scenario/scenario_runner.hpp>

#include <boost/program_options.hpp>

#include <filesystem>
#include <iostream>

namespace po = boost::program_options;

namespace mockserve::cli {

namespace {

struct RecordOptions {
    std::string target;
    unsigned port = 0;
    std::string bind = "127.0.0.1";
    std::string out = "recording.ini";
    std::string match_headers;
    std::string body_dir;
    bool keep_secrets = false;
    std::string ca_file;
    bool insecure = false;
    bool quiet = false;
    std::vector<std::string> command;
};

int parse(int argc, char** argv, RecordOptions& options) {
    // argv[1] is "record".
    const int split = split_command(argc, argv, options.command);
    if (split < 0) return kUsageError;
    po::options_description described;
    described.add_options()("target", po::value(&options.target)->required())("port", po::value(&options.port))(
        "bind", po::value(&options.bind))("out", po::value(&options.out))("match-headers", po::value(&options.match_headers))(
        "body-dir", po::value(&options.body_dir))("keep-secrets", po::bool_switch(&options.keep_secrets))(
        "ca-file", po::value(&options.ca_file))("insecure", po::bool_switch(&options.insecure))(
        "quiet,q", po::bool_switch(&options.quiet));
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(split - 1, argv + 1).options(described).run(), vm);
        po::notify(vm);
        if (options.port > 65535) throw po::error("--port is a port, 0-65535 (0: any free one)");
        if (options.out.empty()) throw po::error("--out names the scenario file to write");
    } catch (const po::error& e) {
        std::cerr << "mockserve record: " << e.what() << "\n"
                  << "usage: mockserve record --target URL [--port N] [--bind ADDRESS] [--out FILE.ini]\n"
                     "       [--match-headers NAME,...] [--body-dir DIR] [--keep-secrets] [--ca-file FILE]\n"
                     "       [--insecure] [-q] [-- COMMAND ARGS...]\n";
        return kUsageError;
    }
    return 0;
}

std::vector<std::string> header_names(const std::string& list) {
    std::vector<std::string> names;
    std::string name;
    for (const char c : list + ",") {
        if (c != ',') {
            if (c != ' ') name.push_back(c);
            continue;
        }
        if (!name.empty()) names.push_back(std::move(name));
        name.clear();
    }
    return names;
}

}  // namespace

int run_record(int argc, char** argv) {
    RecordOptions options;
    if (const int status = parse(argc, argv, options)) return status;

    namespace fs = std::filesystem;
    scenario::Proxy proxy;
    proxy.url = options.target;
    proxy.ca_file = options.ca_file;
    proxy.insecure = options.insecure;
    proxy.record = fs::absolute(options.out).lexically_normal().string();
    proxy.record_headers = header_names(options.match_headers);
    proxy.record_body_dir = options.body_dir;
    proxy.record_secrets = options.keep_secrets;
    scenario::Route route;
    route.name = "passthrough";  // no conditions: every request
    route.action = proxy;
    scenario::ServerSpec server;
    server.name = "recorded";
    server.bind = options.bind;
    server.port = static_cast<std::uint16_t>(options.port);
    server.routes.push_back(std::move(route));
    scenario::Scenario recording;
    recording.name = "recording " + options.target;
    recording.servers.push_back(std::move(server));

    const sigset_t signals = block_stop_signals();
    scenario::RunnerOptions runner_options;
    if (!options.quiet) {
        runner_options.log = standard_error_log();
    }
    std::unique_ptr<scenario::ScenarioRunner> runner;
    try {
        runner = std::make_unique<scenario::ScenarioRunner>(std::move(recording), runner_options);
    } catch (const std::invalid_argument& e) {
        std::cerr << "mockserve record: " << e.what() << "\n";
        return kUsageError;
    } catch (const std::exception& e) {
        std::cerr << "mockserve record: " << e.what() << "\n";
        return 1;
    }
    std::cout << "recorded " << runner->url("recorded") << "\n";
    if (!options.quiet)
        std::cerr << "mockserve: recording what passes to " << options.target << "; Ctrl-C (or SIGTERM) writes "
                  << proxy.record << "\n";
    std::cout << "ready" << std::endl;
    int exit_code = 0;
    if (options.command.empty()) {
        wait_for_stop_signal();
    } else {
        exit_code = run_command(options.command, *runner, signals);
    }
    // The file is written anew: a recording describes one session.
    std::error_code ec;
    fs::remove(proxy.record, ec);
    runner->stop();  // writes the file, and says so on standard error
    if (!fs::exists(proxy.record, ec)) return exit_code != 0 ? exit_code : 1;
    return exit_code;
}

}  // namespace mockserve::cli
