// The README's library example, as it is printed there (between the
// README markers); tests/readme_examples.sh checks the copy.
#include "support/raw_client.hpp"

#include <gtest/gtest.h>

// README:begin library-example
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

using namespace mockserve::http;

class HelloHandler : public BaseHTTPRequestHandler {
public:
    HelloHandler() {
        protocol_version = "HTTP/1.1";  // keep-alive; Python's default is HTTP/1.0
        register_method("BREW", &HelloHandler::do_BREW);
    }

    void do_GET() override {
        const std::string body = "Hello from " + path + "\n";
        send_response(200);
        send_header("Content-Type", "text/plain");
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }

    void do_POST() override {
        const std::string body = rfile.read();  // Content-Length or chunked
        send_response(201);
        end_headers();                          // no Content-Length: the server adds it
        wfile.write("got " + std::to_string(body.size()) + " bytes\n");
    }

    void do_BREW() { send_error(418, "I'm a teapot", "Try GET instead"); }
};

TEST(Readme, LibraryExample) {
    HTTPServer server({"127.0.0.1", 0}, handler_class<HelloHandler>());
    server.quiet();  // no request log on standard error
    server.start();  // returns at once; server.server_port is the real port
// README:end library-example
    auto get = mockserve::test_support::exchange(server.server_port, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(get);
    EXPECT_EQ(get->body, "Hello from /x\n");
    auto post = mockserve::test_support::exchange(server.server_port,
                                             "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 201);
    EXPECT_EQ(post->header("Content-Length"), "12");
    EXPECT_EQ(post->body, "got 5 bytes\n");
    auto brew = mockserve::test_support::exchange(server.server_port, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(brew);
    EXPECT_EQ(brew->status, 418);
    server.shutdown();  // graceful; the destructor would do it too
}

// README:begin files-example
#include <mockserve/cgi_http_request_handler.hpp>

TEST(Readme, FilesAndCgiExample) {
    // What `python3 -m http.server --cgi --directory fixtures` serves.
    const std::string directory = MOCKSERVE_FIXTURES;
    ThreadingHTTPServer server({"127.0.0.1", 0}, handler_class<CGIHTTPRequestHandler>(directory));
    server.quiet();
    server.start();  // GET server.url() + "/site/docs/data.json", or a script in /cgi-bin
// README:end files-example
    auto r = mockserve::test_support::exchange(server.server_port, "GET /site/docs/data.json HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Content-type"), "application/json");
}
