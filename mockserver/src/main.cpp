// mockserve: for now, a BaseHTTPRequestHandler server that answers every
// request with a page that says what it received. The scenario runner and
// the http.server drop-in mode replace it (issues 3 and 4).
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {
mockserve::http::HTTPServer* running = nullptr;
void on_signal(int) {}
}

int main(int argc, char** argv) {
    (void)argc; (void)argv;
    (void)running; (void)on_signal;
    return 0;
}
