#pragma once
// CGIHTTPRequestHandler: Python's http.server.CGIHTTPRequestHandler, which
// Python 3.15 removes; here it stays, hardened.
//
// Like Python: scripts live below cgi_directories (path collapsing decides,
// so "/cgi-bin/../x", "//cgi-bin/x", "/cgi-bin%2f..%2fx" cannot run or show
// anything else), nested folders give SCRIPT_NAME and PATH_INFO as Python
// does, POST elsewhere is 501 "Can only POST to CGI scripts", a missing
// script 404, one that is not a plain executable file 403, and a root
// server runs scripts as "nobody".
//
// Beyond Python, whose scripts cannot even redirect:
//   - the script's header block is read (RFC 3875 section 6): Status sets
//     the status, Location redirects, its fields are passed on, and the body
//     streams to the client as the script writes it (chunked on HTTP/1.1
//     when the script gives no length). Output without a valid header block
//     is 502, with the reason in the log. cgi_verbatim gives Python's way
//     ("200 Script output follows", then the output as it is);
//   - the environment is RFC 3875's, with every request header as HTTP_*
//     except Proxy (httpoxy) and names that would collide (see
//     build_cgi_environment);
//   - the script is started without copying the server (vfork and execve),
//     in its own process group, in its own folder, with only 0, 1 and 2
//     open; the request body reaches it on standard input whatever its size
//     while its output is read, so neither side can block the other;
//     standard error goes to the log line by line;
//   - Limits::cgi_timeout: a hung script's whole group is killed and reaped,
//     and the client gets 504 if nothing was sent; a client that leaves gets
//     its script a SIGTERM (then SIGKILL); no zombie is left.

#include <mockserve/simple_http_request_handler.hpp>

#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace mockserve::http {

// The user that scripts run as for a given cgi_user (see below).
struct ScriptUser {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    bool changes = false;  // the script runs as another user than the server
};
// Nothing when cgi_user names no user of this machine.
std::optional<ScriptUser> script_user(const std::string& cgi_user);
// The first folder on the way to `folder` (itself included) that `user`
// cannot search, or "" when it can reach it.
std::string first_unsearchable_folder(const std::string& folder, const ScriptUser& user);

class CGIHTTPRequestHandler : public SimpleHTTPRequestHandler {
public:
    explicit CGIHTTPRequestHandler(std::string directory = {});

    std::vector<std::string> cgi_directories{"/cgi-bin", "/htbin"};
    // Python's output: "200 Script output follows", Server and Date, then
    // the script's output untouched; the connection closes after it.
    bool cgi_verbatim = false;
    // Who runs the scripts: empty for Python's rule ("nobody" when the
    // server runs as root, else the server's own user), "current" for the
    // server's own user always, or a user name. A script that cannot be run
    // is answered 502, and the log and the page say which script, as whom,
    // and why ("its folder /tmp/x is not searchable by nobody").
    std::string cgi_user;
    // (folder, rest) of the current request, set by is_cgi().
    std::pair<std::string, std::string> cgi_info;

    void do_POST() override;
    std::optional<Source> send_head() override;
    virtual bool is_cgi();
    virtual bool is_executable(const std::string& path) const;
    virtual bool is_python(const std::string& path) const;
    virtual void run_cgi();

private:
    bool inside_cgi_directory(const std::string& file) const;
};

}  // namespace mockserve::http
