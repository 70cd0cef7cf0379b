// The scenario mode: `mockserve SCENARIO.ini [--journal FILE.jsonl] [--quiet]
// [--control PORT] [--control-bind ADDRESS] [--watch] [-- COMMAND ARGS...]`.

#include "command.hpp"
#include "memory_returner.hpp"

#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace po = boost::program_options;

namespace mockserve::cli {

namespace {

struct ScenarioOptions {
    std::string file;
    std::string journal;
    bool quiet = false;
    std::optional<unsigned> control;
    std::string control_bind;
    bool watch = false;
    std::vector<std::string> command;
};

int parse(int argc, char** argv, ScenarioOptions& options) {
    const int split = split_command(argc, argv, options.command);
    if (split < 0) return kUsageError;
    po::options_description visible;
    visible.add_options()("journal", po::value(&options.journal))("quiet,q", po::bool_switch(&options.quiet))(
        "control", po::value<unsigned>())("control-bind", po::value(&options.control_bind))(
        "watch", po::bool_switch(&options.watch));
    po::options_description all;
    all.add(visible).add_options()("scenario", po::value(&options.file));
    po::positional_options_description positional;
    positional.add("scenario", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(split, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("control")) {
            options.control = vm["control"].as<unsigned>();
            if (*options.control > 65535) throw po::error("--control is a port, 0-65535 (0: any free one)");
        }
    } catch (const po::error& e) {
        std::cerr << "mockserve: " << e.what() << "\n";
        return kUsageError;
    }
    return 0;
}

// "api-v2", "URL" to "MOCKSERVE_API_V2_URL".
std::string server_variable(const std::string& server, std::string_view what) {
    std::string name = "MOCKSERVE_";
    for (const char c : server) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return name + "_" + std::string(what);
}

}  // namespace

http::LogSink standard_error_log() {
    auto mutex = std::make_shared<std::mutex>();
    return [mutex](std::string_view line) {
        std::lock_guard lock(*mutex);
        std::cerr << line << '\n';
    };
}

int split_command(int argc, char** argv, std::vector<std::string>& command) {
    // Everything after "--" is the command, untouched.
    int split = argc;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--") {
            split = i;
            break;
        }
    for (int i = split + 1; i < argc; ++i) command.emplace_back(argv[i]);
    if (split < argc && command.empty()) {
        std::cerr << "mockserve: nothing after '--': give the command to run\n";
        return -1;
    }
    return split;
}

int run_command(const std::vector<std::string>& command, const scenario::ScenarioRunner& runner,
                const sigset_t& signals) {
    std::vector<std::string> environment;
    for (auto entry = environ; *entry; ++entry) environment.emplace_back(*entry);
    for (const auto& name : runner.server_names()) {
        environment.push_back(server_variable(name, "URL") + "=" + runner.url(name));
        if (const auto& cert = runner.client_cert_file(name); !cert.empty()) {
            environment.push_back(server_variable(name, "CLIENT_CERT") + "=" + cert);
            environment.push_back(server_variable(name, "CLIENT_KEY") + "=" + runner.client_key_file(name));
        }
    }
    if (!runner.ca_file().empty()) environment.push_back("MOCKSERVE_CA_FILE=" + runner.ca_file());
    if (const auto control = runner.control_url(); !control.empty()) {
        environment.push_back("MOCKSERVE_CONTROL_URL=" + control);
        if (!runner.control_token().empty()) environment.push_back("MOCKSERVE_CONTROL_TOKEN=" + runner.control_token());
    }
    std::vector<char*> envp, args;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = command;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);  // the command gets the signals we block
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], nullptr, &attributes, args.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
        std::cerr << "mockserve: cannot run " << command[0] << ": " << std::strerror(rc) << "\n";
        return 127;
    }
    while (true) {
        int signal = 0;
        sigwait(&signals, &signal);
        if (signal == SIGINT || signal == SIGTERM) {
            ::kill(pid, signal);
            continue;
        }
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
}

int run_scenario(int argc, char** argv) {
    ScenarioOptions options;
    if (const int status = parse(argc, argv, options)) return status;
    auto loaded = scenario::load_scenario(options.file);
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors) std::cerr << error << "\n";
        return kUsageError;
    }
    const sigset_t signals = block_stop_signals();

    scenario::RunnerOptions runner_options;
    if (options.control) runner_options.control.port = static_cast<std::uint16_t>(*options.control);
    runner_options.control.bind = options.control_bind;
    runner_options.watch = options.watch;
    if (!options.quiet) {
        runner_options.log = standard_error_log();
    }
    int exit_code = 0;
    std::optional<scenario::VerificationReport> report;
    {
        const MemoryReturner memory_returner;
        std::unique_ptr<scenario::ScenarioRunner> runner;
        try {
            runner = std::make_unique<scenario::ScenarioRunner>(std::move(*loaded.scenario), runner_options);
        } catch (const std::exception& e) {
            std::cerr << "mockserve: " << e.what() << "\n";
            return 1;
        }
        for (const auto& name : runner->server_names()) std::cout << name << " " << runner->url(name) << "\n";
        // Said beside the log, so that standard output stays NAME URL lines and "ready".
        if (!runner->ca_file().empty() && !options.quiet)
            std::cerr << "mockserve: HTTPS clients trust the run's authority in " << runner->ca_file()
                      << " (MOCKSERVE_CA_FILE for the command)\n";
        if (const auto control = runner->control_url(); !control.empty()) {
            std::cout << "control " << control << "\n";
            // Printed whatever --quiet says: nobody can use the API without it.
            if (!runner->control_token().empty())
                std::cerr << "mockserve: the control API is bound beyond loopback; every request carries its token "
                          << runner->control_token()
                          << " (Authorization: Bearer TOKEN, or ?token=TOKEN; MOCKSERVE_CONTROL_TOKEN for the command)\n";
        }
        std::cout << "ready" << std::endl;

        if (options.command.empty()) {
            wait_for_stop_signal();
        } else {
            exit_code = run_command(options.command, *runner, signals);
        }
        runner->stop();
        if (!options.journal.empty()) {
            std::ofstream out(options.journal, std::ios::binary | std::ios::trunc);
            runner->journal().write_jsonl(out);
            if (!out) std::cerr << "mockserve: cannot write the journal to " << options.journal << "\n";
        }
        report = runner->verify();
    }
    std::cout << *report << std::flush;
    if (exit_code != 0) return exit_code;
    return report->passed() ? 0 : 1;
}

}  // namespace mockserve::cli
