#include <mockserve/cgi_http_request_handler.hpp>

#include "cgi_environment.hpp"
#include "cgi_process.hpp"
#include "cgi_response.hpp"
#include "log_format.hpp"
#include "url_path.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/http_server.hpp>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <chrono>
#include <csignal>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mockserve::http {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxStderrLine = 4096;
// Output is sent once the script has written nothing more for this long, so
// that a script that ends at once gets an exact Content-Length and one that
// pauses streams.
constexpr int kCoalesceMs = 20;
// A script told to stop (its client left) gets this long before SIGKILL.
constexpr std::chrono::seconds kTerminateGrace{2};

bool is_hop_by_hop(std::string_view name) {
    for (const char* hop : {"Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
                            "Proxy-Connection"})
        if (iequals(name, hop)) return true;
    return false;
}

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, INT32_MAX));
}

// Waits for the script to exit, at most until `deadline`; true if it did.
bool wait_exit(pid_t pid, int pidfd, Clock::time_point deadline, int& status) {
    while (true) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) return true;
        const int left = remaining_ms(deadline);
        if (left == 0) return false;
        if (pidfd >= 0) {
            pollfd p{pidfd, POLLIN, 0};
            ::poll(&p, 1, left);
        } else {
            ::poll(nullptr, 0, std::min(left, 20));  // no pidfd: look again shortly
        }
    }
}

// One run of one script: its pipes, its output parser, its end.
struct ScriptRun {
    ScriptRun(CGIHTTPRequestHandler& h, std::size_t max_header_bytes) : handler(h), parser(max_header_bytes) {}
    ~ScriptRun() {
        if (pidfd >= 0) ::close(pidfd);
    }
    ScriptRun(const ScriptRun&) = delete;
    ScriptRun& operator=(const ScriptRun&) = delete;

    void on_stdout(std::string_view data, bool verbatim);
    void on_stderr(std::string_view data, const std::string& scriptname);
    void send_script_head();

    CGIHTTPRequestHandler& handler;
    detail::CgiResponseParser parser;
    detail::RunningScript script;
    int pidfd = -1;
    bool head_sent = false;
    bool pending_flush = false;  // body bytes written since the last flush
    std::string stderr_line;
};

}  // namespace

void ScriptRun::send_script_head() {
    const auto& head = parser.head();
    // Python's reason phrase for a script that says nothing of its status.
    std::optional<std::string> reason;
    if (!head.reason.empty()) {
        reason = head.reason;
    } else if (!head.status_given && head.status == 200) {
        reason = "Script output follows";
    }
    handler.send_response_only(head.status, reason);
    handler.log_request(head.status);
    bool has_server = false, has_date = false;
    for (const auto& [name, value] : head.fields) {
        if (is_hop_by_hop(name)) continue;
        has_server = has_server || iequals(name, "Server");
        has_date = has_date || iequals(name, "Date");
        handler.send_header(name, value);
    }
    if (!has_server) handler.send_header("Server", handler.version_string());
    if (!has_date) handler.send_header("Date", handler.date_time_string());
    handler.end_headers();
    head_sent = true;
}

void ScriptRun::on_stdout(std::string_view data, bool verbatim) {
    if (verbatim || parser.state() == detail::CgiResponseParser::State::complete) {
        handler.wfile.write(data);
        pending_flush = true;
        return;
    }
    if (parser.feed(data) == detail::CgiResponseParser::State::complete) {
        send_script_head();
        const auto body = parser.take_body();
        handler.wfile.write(body);
        pending_flush = !body.empty();
    }
}

void ScriptRun::on_stderr(std::string_view data, const std::string& scriptname) {
    for (const char c : data) {
        if (c == '\n') {
            handler.log_error("CGI script %s: %s", scriptname, stderr_line);
            stderr_line.clear();
        } else if (stderr_line.size() < kMaxStderrLine) {
            stderr_line.push_back(c);
        }
    }
}

CGIHTTPRequestHandler::CGIHTTPRequestHandler(std::string directory) : SimpleHTTPRequestHandler(std::move(directory)) {}

void CGIHTTPRequestHandler::do_POST() {
    if (is_cgi()) {
        run_cgi();
    } else {
        send_error(501, "Can only POST to CGI scripts");
    }
}

std::optional<SimpleHTTPRequestHandler::Source> CGIHTTPRequestHandler::send_head() {
    if (is_cgi()) {
        run_cgi();
        return std::nullopt;
    }
    // Whatever path leads into a CGI folder without being a CGI request, a
    // script's source is never served as a file.
    if (inside_cgi_directory(translate_path(path))) {
        send_error(404, "File not found");
        return std::nullopt;
    }
    return SimpleHTTPRequestHandler::send_head();
}

bool CGIHTTPRequestHandler::inside_cgi_directory(const std::string& file) const {
    char resolved[PATH_MAX];
    if (cgi_directories.empty() || file.empty() || !::realpath(file.c_str(), resolved)) return false;
    const std::string target = resolved;
    for (const auto& folder : cgi_directories) {
        const auto translated = translate_path(folder);
        if (translated.empty() || !::realpath(translated.c_str(), resolved)) continue;
        const std::string root = resolved;
        if (target == root || target.rfind(root + "/", 0) == 0) return true;
    }
    return false;
}

bool CGIHTTPRequestHandler::is_cgi() {
    const auto collapsed = detail::url_collapse_path(path);
    auto separator = collapsed.find('/', 1);
    while (separator != std::string::npos &&
           std::find(cgi_directories.begin(), cgi_directories.end(), collapsed.substr(0, separator)) ==
               cgi_directories.end()) {
        separator = collapsed.find('/', separator + 1);
    }
    if (separator == std::string::npos) return false;
    cgi_info = {collapsed.substr(0, separator), collapsed.substr(separator + 1)};
    return true;
}

namespace {

// script_user() without the name, which costs a read of the user database:
// a request needs it only when its script cannot be run.
std::optional<ScriptUser> script_user_ids(const std::string& cgi_user) {
    ScriptUser user;
    if (cgi_user.empty() && ::geteuid() == 0) {
        // Python's rule: a root server runs scripts as nobody.
        std::tie(user.uid, user.gid) = detail::nobody_ids();
    } else if (cgi_user.empty() || cgi_user == "current") {
        user.uid = ::geteuid();
        user.gid = ::getegid();
    } else {
        const auto ids = detail::user_ids(cgi_user);
        if (!ids) return std::nullopt;
        std::tie(user.uid, user.gid) = *ids;
    }
    user.changes = user.uid != ::geteuid() || user.gid != ::getegid();
    return user;
}

}  // namespace

std::optional<ScriptUser> script_user(const std::string& cgi_user) {
    auto user = script_user_ids(cgi_user);
    if (user) user->name = detail::user_name(user->uid);
    return user;
}

std::string first_unsearchable_folder(const std::string& folder, const ScriptUser& user) {
    return detail::first_unsearchable_folder(folder, user.uid, user.gid);
}

bool CGIHTTPRequestHandler::is_executable(const std::string& file) const { return ::access(file.c_str(), X_OK) == 0; }

bool CGIHTTPRequestHandler::is_python(const std::string& file) const {
    const auto dot = file.rfind('.');
    if (dot == std::string::npos || file.find('/', dot) != std::string::npos) return false;
    std::string suffix = file.substr(dot);
    for (auto& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return suffix == ".py" || suffix == ".pyw";
}

void CGIHTTPRequestHandler::run_cgi() {
    // The query is split off the target as sent: cgi_info's path part is
    // decoded, and an encoded '?' in it (a%3Fb) belongs to the path, so to
    // PATH_INFO (Python splits after decoding and cuts PATH_INFO there).
    auto [dir, rest] = cgi_info;
    std::string query;
    if (const auto q = path.find('?'); q != std::string::npos && q + 1 < path.size()) {
        query = path.substr(q + 1);
        rest.erase(rest.size() - query.size() - 1);  // url_collapse_path appended "?" + query
    }
    // Python's walk: the deepest folder of the path that exists holds the script.
    const std::string full = dir + "/" + rest;
    auto i = full.find('/', dir.size() + 1);
    while (i != std::string::npos) {
        const auto next_dir = full.substr(0, i);
        struct stat st {};
        const auto translated = translate_path(detail::quote(next_dir));
        if (!translated.empty() && ::stat(translated.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            dir = next_dir;
            rest = full.substr(i + 1);
            i = full.find('/', dir.size() + 1);
        } else {
            break;
        }
    }
    std::string script = rest;
    std::string path_info;
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        script = rest.substr(0, slash);
        path_info = rest.substr(slash);
    }
    const std::string scriptname = dir + "/" + script;
    // cgi_info is decoded already: quote() so that translate_path decodes it
    // back, not a second time.
    const std::string scriptfile = translate_path(detail::quote(scriptname));
    struct stat st {};
    if (scriptfile.empty() || ::stat(scriptfile.c_str(), &st) != 0 || !inside_directory(scriptfile)) {
        send_error(404, "No such CGI script (" + detail::python_repr(scriptname) + ")");
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        send_error(403, "CGI script is not a plain file (" + detail::python_repr(scriptname) + ")");
        return;
    }
    if (!is_executable(scriptfile)) {
        send_error(403, "CGI script is not executable (" + detail::python_repr(scriptname) + ")");
        return;
    }

    const Limits& limits = server->limits();
    // The body's length: declared, or, for a chunked body that fits the
    // read-ahead, counted; a longer chunked body streams with no length.
    std::string early_body;
    bool body_done = false;
    std::optional<std::uint64_t> content_length;
    if (const auto declared = headers.get("Content-Length")) {
        content_length = detail::parse_decimal(*declared);
    } else if (headers.contains("Transfer-Encoding")) {
        early_body = rfile.read(limits.body_buffer_size + 1);
        body_done = early_body.size() <= limits.body_buffer_size;
        if (body_done) content_length = early_body.size();
    } else {
        body_done = true;
    }

    detail::CgiRequest request;
    request.server_software = version_string();
    request.server_name = server->server_name;
    request.server_port = server->server_port;
    // Python's choice, the handler's protocol_version, would tell a script
    // that an HTTP/2 request came as HTTP/1.x.
    request.server_protocol = request_version == "HTTP/2.0" ? request_version : protocol_version;
    request.request_method = command;
    request.path_info = path_info;
    request.path_translated = translate_path(detail::quote(path_info));
    request.script_name = scriptname;
    request.query_string = query;
    request.remote_addr = client_address.host;
    request.content_length = content_length;
    request.headers = &headers;
    request.tls = tls.get();
    const auto environment = detail::build_cgi_environment(request, environ);
    for (const auto& dropped : environment.dropped)
        log_error("CGI: header %r not passed to the script: only letters, digits and '-' make a variable name (a '_' could pose as another header)", dropped);

    detail::ScriptLaunch launch;
    launch.path = scriptfile;
    launch.argv = {script};
    // Python's search-string argument: a query without '=', '+' as space.
    std::string decoded_query = query;
    std::replace(decoded_query.begin(), decoded_query.end(), '+', ' ');
    if (decoded_query.find('=') == std::string::npos) launch.argv.push_back(decoded_query);
    launch.env = environment.variables;
    launch.working_directory = scriptfile.substr(0, scriptfile.rfind('/'));
    launch.has_input = content_length ? *content_length > 0 : !body_done;
    auto user = script_user_ids(cgi_user);
    if (!user) {
        log_error("CGI script %r not run: cgi_user %r is not a user here", scriptname, cgi_user);
        send_error(500, "CGI user does not exist");
        return;
    }
    if (user->changes) launch.run_as = std::pair{user->uid, user->gid};

    ScriptRun run(*this, limits.max_header_bytes);
    try {
        detail::start_script(launch, run.script);
    } catch (const detail::ScriptLaunchFailed& e) {
        // Said in full, where a person looks: the usual cause is a folder
        // the script's user cannot enter (a root server runs scripts as nobody).
        const std::string script_path = scriptname.substr(1);  // "cgi-bin/hello.sh"
        user->name = detail::user_name(user->uid);
        std::string why = e.step == "change user" ? "cannot switch to user " + user->name + " to run " + script_path
                          : e.step == "enter its folder"
                              ? "cannot enter the folder of " + script_path + " as user " + user->name
                              : "cannot execute " + script_path + " as user " + user->name;
        why += ": " + std::string(std::strerror(e.code().value()));
        if (const auto explanation =
                detail::explain_launch_failure(scriptfile, e.code().value(), user->uid, user->gid, user->name);
            !explanation.empty())
            why += " (" + explanation + ")";
        log_error("%s", why);
        send_error(502, "CGI script could not be run", why);
        return;
    } catch (const std::system_error& e) {
        log_error("CGI script %r could not start: %s", scriptname, e.what());
        send_error(500, "CGI script could not start");
        return;
    }
    run.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, run.script.pid, 0));
    const auto deadline = Clock::now() + limits.cgi_timeout;

    if (cgi_verbatim) {
        // Python's response: the status line, Server and Date, and no blank
        // line: the script's output completes the head.
        log_request(200);
        wfile.write(protocol_version + " 200 Script output follows\r\nServer: " + version_string() +
                    "\r\nDate: " + date_time_string() + "\r\n");
        run.head_sent = true;
    }

    std::string to_stdin = std::move(early_body);
    bool stdout_open = true, stderr_open = true, exited = false;
    bool timed_out = false, client_gone = false;
    int status = 0;
    char buffer[kChunk];
    const int client = client_socket();
    try {
        while (stdout_open || stderr_open || !exited) {
            // Feed standard input from the body as the script takes it; a
            // body still arriving is waited for in poll(), with the rest.
            bool awaiting_body = false;
            if (run.script.stdin_fd >= 0 && to_stdin.empty() && !body_done) {
                if (const auto n = rfile.read_nowait(buffer, sizeof buffer)) {
                    body_done = *n == 0;
                    to_stdin.assign(buffer, *n);
                } else {
                    awaiting_body = true;
                }
            }
            if (run.script.stdin_fd >= 0 && to_stdin.empty() && body_done) run.script.close_stdin();

            pollfd fds[5];
            int count = 0;
            const int out_at = stdout_open ? count : -1;
            if (stdout_open) fds[count++] = {run.script.stdout_fd, POLLIN, 0};
            const int err_at = stderr_open ? count : -1;
            if (stderr_open) fds[count++] = {run.script.stderr_fd, POLLIN, 0};
            const int in_at = run.script.stdin_fd >= 0 && !to_stdin.empty() ? count : -1;
            if (in_at >= 0) fds[count++] = {run.script.stdin_fd, POLLOUT, 0};
            const int pid_at = !exited && run.pidfd >= 0 ? count : -1;
            if (pid_at >= 0) fds[count++] = {run.pidfd, POLLIN, 0};
            const int client_at = client >= 0 ? count : -1;
            if (client_at >= 0) fds[count++] = {client, static_cast<short>(POLLRDHUP | (awaiting_body ? POLLIN : 0)), 0};

            int wait = remaining_ms(deadline);
            if (wait == 0) {
                timed_out = true;
                break;
            }
            if (run.pending_flush) wait = std::min(wait, kCoalesceMs);
            if (!exited && run.pidfd < 0) wait = std::min(wait, 20);
            const int ready = ::poll(fds, static_cast<nfds_t>(count), wait);
            if (ready < 0 && errno != EINTR) break;
            if (ready == 0 && run.pending_flush) {
                // The script paused: what it wrote goes to the client now.
                wfile.flush();
                run.pending_flush = false;
                continue;
            }
            if (client_at >= 0 && (fds[client_at].revents & (POLLRDHUP | POLLHUP | POLLERR)) && !awaiting_body) {
                client_gone = true;
                break;
            }
            if (in_at >= 0 && fds[in_at].revents) {
                const auto n = ::write(run.script.stdin_fd, to_stdin.data(), to_stdin.size());
                if (n > 0) {
                    to_stdin.erase(0, static_cast<std::size_t>(n));
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                    // The script stopped reading (EPIPE): the rest of the body is dropped.
                    run.script.close_stdin();
                    to_stdin.clear();
                }
            }
            if (out_at >= 0 && fds[out_at].revents) {
                const auto n = ::read(run.script.stdout_fd, buffer, sizeof buffer);
                if (n > 0) {
                    run.on_stdout(std::string_view(buffer, static_cast<std::size_t>(n)), cgi_verbatim);
                    if (run.parser.state() == detail::CgiResponseParser::State::failed) break;
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    stdout_open = false;
                }
            }
            if (err_at >= 0 && fds[err_at].revents) {
                const auto n = ::read(run.script.stderr_fd, buffer, sizeof buffer);
                if (n > 0) {
                    run.on_stderr(std::string_view(buffer, static_cast<std::size_t>(n)), scriptname);
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    stderr_open = false;
                }
            }
            if (!exited && (pid_at < 0 || fds[pid_at].revents)) {
                // The group is cleared of stragglers before the leader is
                // reaped: until then its zombie keeps the group id reserved.
                siginfo_t info{};
                if (::waitid(P_PID, static_cast<id_t>(run.script.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
                    info.si_pid == run.script.pid) {
                    ::kill(-run.script.pid, SIGKILL);
                    ::waitpid(run.script.pid, &status, 0);
                    exited = true;
                }
            }
        }
    } catch (const ConnectionError&) {
        client_gone = true;
    }

    if (!exited) {
        if (client_gone) {
            ::kill(-run.script.pid, SIGTERM);
            if (!wait_exit(run.script.pid, run.pidfd, Clock::now() + kTerminateGrace, status)) {
                ::kill(-run.script.pid, SIGKILL);
                ::waitpid(run.script.pid, &status, 0);
            }
        } else {
            ::kill(-run.script.pid, SIGKILL);
            ::waitpid(run.script.pid, &status, 0);
        }
    }
    if (!run.stderr_line.empty()) log_error("CGI script %s: %s", scriptname, run.stderr_line);
    if (client_gone) {
        log_error("CGI script %r stopped: the client went away", scriptname);
        throw ConnectionError("the client left while its CGI script ran");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        log_error("CGI script exit code %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status) && !timed_out && run.parser.state() != detail::CgiResponseParser::State::failed) {
        log_error("CGI script killed by signal %d", WTERMSIG(status));
    }
    if (timed_out) {
        log_error("CGI script %r timed out after %d ms and was killed", scriptname, limits.cgi_timeout.count());
        if (!run.head_sent) return send_error(504, "CGI script timed out");
        close_connection = true;
        throw ConnectionError("the CGI script timed out part-way through its response");
    }
    if (!run.head_sent) {
        if (run.parser.state() != detail::CgiResponseParser::State::failed) run.parser.finish();
        log_error("CGI script %r gave no valid header block: %s", scriptname, run.parser.error());
        send_error(502, std::nullopt, "The CGI script's output had no valid header block");
        return;
    }
    if (run.parser.state() == detail::CgiResponseParser::State::failed) close_connection = true;
}

}  // namespace mockserve::http
