// Serves one request with the library alone, and checks the answer.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include <arpa/inet.h>
#include <cstdio>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

class Hello : public mockserve::http::BaseHTTPRequestHandler {
public:
    void do_GET() override {
        send_response(200);
        send_header("Content-Length", "5");
        end_headers();
        wfile.write("hello");
    }
};

int main() {
    mockserve::http::HTTPServer server({"127.0.0.1", 0}, mockserve::http::handler_class<Hello>());
    server.quiet();
    server.start();
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(server.server_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 1;
    const std::string request = "GET / HTTP/1.0\r\n\r\n";
    if (send(fd, request.data(), request.size(), 0) < 0) return 1;
    std::string answer;
    char buffer[1024];
    for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    const bool ok = answer.rfind("HTTP/1.0 200 OK", 0) == 0 && answer.size() >= 5 && answer.substr(answer.size() - 5) == "hello";
    std::puts(ok ? "uses_http: ok" : "uses_http: wrong answer");
    return ok ? 0 : 1;
}
