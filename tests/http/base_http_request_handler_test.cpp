// BaseHTTPRequestHandler, member by member, over real sockets.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/log_capture.hpp"
#include "support/raw_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <regex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using mockserve::test_support::exchange;
using mockserve::test_support::LogCapture;
using mockserve::test_support::RawClient;

// Answers with a text body, with or without Content-Length.
void reply(BaseHTTPRequestHandler& h, int code, const std::string& body, bool with_length = true) {
    h.send_response(code);
    h.send_header("Content-Type", "text/plain");
    if (with_length) h.send_header("Content-Length", std::to_string(body.size()));
    h.end_headers();
    h.wfile.write(body);
}

// Describes the request it got, so tests can check each instance variable.
class DescribingHandler : public BaseHTTPRequestHandler {
public:
    DescribingHandler() {
        protocol_version = "HTTP/1.1";
        register_method("SPAM", &DescribingHandler::do_SPAM);
    }
    void do_GET() override {
        std::string text = "command=" + command + "\npath=" + path + "\nversion=" + request_version +
                           "\nrequestline=" + requestline + "\nclient=" + client_address.host + ":" +
                           std::to_string(client_address.port) + "\nserver_port=" + std::to_string(server->server_port) +
                           "\naddress_string=" + address_string() + "\n";
        for (const auto& [name, value] : headers) text += "header " + name + "=" + value + "\n";
        for (const auto value : headers.get_all("x-repeat")) text += "x-repeat=" + std::string(value) + "\n";
        reply(*this, 200, text);
    }
    void do_POST() override { reply(*this, 200, rfile.read()); }
    void do_PUT() override {
        const auto line = rfile.readline();
        reply(*this, 201, "put " + line + "|" + rfile.read());
    }
    void do_DELETE() override { reply(*this, 200, "delete"); }
    void do_PATCH() override { reply(*this, 200, "patch"); }
    void do_OPTIONS() override { reply(*this, 200, "options"); }
    void do_HEAD() override { reply(*this, 200, "a body that HEAD must not carry"); }
    void do_SPAM() { reply(*this, 200, "spam"); }
};

struct Server {
    explicit Server(HandlerFactory factory, Limits limits = {}) : server({"127.0.0.1", 0}, std::move(factory), limits) {
        server.set_log_sink(log.sink());
        server.start();
    }
    std::uint16_t port() const { return server.server_port; }
    LogCapture log;
    HTTPServer server;
};

TEST(BaseHTTPRequestHandler, InstanceVariablesDescribeTheRequest) {
    Server s(handler_class<DescribingHandler>());
    RawClient client(s.port());
    client.send("GET //a/b?q=1 HTTP/1.1\r\nHost: x\r\nX-Repeat: 1\r\nx-repeat: 2\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_THAT(r->body, HasSubstr("command=GET\n"));
    EXPECT_THAT(r->body, HasSubstr("path=/a/b?q=1\n"));  // "//" reduced, as Python does
    EXPECT_THAT(r->body, HasSubstr("version=HTTP/1.1\n"));
    EXPECT_THAT(r->body, HasSubstr("requestline=GET //a/b?q=1 HTTP/1.1\n"));
    // The client's own port: the address accept(2) gave is the peer's.
    sockaddr_in local{};
    socklen_t length = sizeof local;
    ASSERT_EQ(::getsockname(client.fd(), reinterpret_cast<sockaddr*>(&local), &length), 0);
    EXPECT_THAT(r->body, HasSubstr("client=127.0.0.1:" + std::to_string(ntohs(local.sin_port)) + "\n"));
    EXPECT_THAT(r->body, HasSubstr("server_port=" + std::to_string(s.port())));
    EXPECT_THAT(r->body, HasSubstr("address_string=127.0.0.1\n"));
    EXPECT_THAT(r->body, HasSubstr("header X-Repeat=1\nheader x-repeat=2\n"));
    EXPECT_THAT(r->body, HasSubstr("x-repeat=1\nx-repeat=2\n"));
}

TEST(BaseHTTPRequestHandler, DispatchesEachMethodToItsDoMethod) {
    Server s(handler_class<DescribingHandler>());
    const std::pair<const char*, const char*> cases[] = {
        {"DELETE", "delete"}, {"PATCH", "patch"}, {"OPTIONS", "options"}, {"SPAM", "spam"}};
    for (const auto& [method, body] : cases) {
        auto r = exchange(s.port(), std::string(method) + " / HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(r) << method;
        EXPECT_EQ(r->body, body) << method;
    }
}

TEST(BaseHTTPRequestHandler, UnknownMethodIs501WithPythonsMessage) {
    Server s(handler_class<DescribingHandler>());
    auto r = exchange(s.port(), "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 501);
    EXPECT_EQ(r->reason, "Unsupported method ('BREW')");
    EXPECT_THAT(r->body, HasSubstr("<p>Message: Unsupported method ('BREW').</p>"));
    EXPECT_THAT(r->body, HasSubstr("Error code explanation: 501 - Server does not support this operation."));
}

TEST(BaseHTTPRequestHandler, BaseClassAnswers501ForEveryMethod) {
    Server s(handler_class<BaseHTTPRequestHandler>());
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        auto r = exchange(s.port(), std::string(method) + " / HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
        ASSERT_TRUE(r) << method;
        EXPECT_EQ(r->status, 501) << method;
        EXPECT_EQ(r->reason, std::string("Unsupported method ('") + method + "')");
    }
    auto head = exchange(s.port(), "HEAD / HTTP/1.0\r\n\r\n", true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 501);
}

TEST(BaseHTTPRequestHandler, RfileReadsContentLengthAndChunkedBodies) {
    Server s(handler_class<DescribingHandler>());
    auto fixed = exchange(s.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
    ASSERT_TRUE(fixed);
    EXPECT_EQ(fixed->body, "hello world");
    auto chunked = exchange(s.port(),
                            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "5\r\nhello\r\n6;ext\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->body, "hello world");
    auto lines = exchange(s.port(), "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nline1\nrest\n!");
    ASSERT_TRUE(lines);
    EXPECT_EQ(lines->status, 201);
    EXPECT_EQ(lines->body, "put line1\n|rest\n!");
}

TEST(BaseHTTPRequestHandler, RfileStreamsBodiesLargerThanTheReadAhead) {
    Limits limits;
    limits.body_buffer_size = 1024;
    Server s(handler_class<DescribingHandler>(), limits);
    const std::string body(300 * 1024, 'z');
    auto fixed = exchange(s.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                                        "\r\n\r\n" + body);
    ASSERT_TRUE(fixed);
    EXPECT_EQ(fixed->body.size(), body.size());
    std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 300; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
    chunked += "0\r\n\r\n";
    auto decoded = exchange(s.port(), chunked);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->body, std::string(300 * 1024, 'c'));
}

class StreamingHandler : public BaseHTTPRequestHandler {
public:
    explicit StreamingHandler(std::string protocol) { protocol_version = std::move(protocol); }
    void do_GET() override {
        reply(*this, 200, "", false);  // no Content-Length
        for (int i = 0; i < 100; ++i) wfile.write(std::string(1024, static_cast<char>('a' + i % 26)));
    }
    void do_POST() override {
        reply(*this, 200, "small", false);
    }
};

TEST(BaseHTTPRequestHandler, WfileStreamsChunkedOrToCloseWithoutContentLength) {
    Limits limits;
    limits.response_buffer_size = 4096;
    Server s(handler_class<StreamingHandler>(std::string("HTTP/1.1")), limits);
    RawClient client(s.port());
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->chunked);
    EXPECT_EQ(r->body.size(), 100u * 1024);
    client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");  // same connection: still open
    auto small = client.read_response();
    ASSERT_TRUE(small);
    EXPECT_EQ(small->header("Content-Length"), "5");  // the server added it
    EXPECT_EQ(small->body, "small");

    auto old = exchange(s.port(), "GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(old);
    EXPECT_FALSE(old->chunked);
    EXPECT_EQ(old->body.size(), 100u * 1024);
}

// A response whose fields were rendered once, as a scenario's canned route's are.
class RenderedFieldsHandler : public BaseHTTPRequestHandler {
public:
    RenderedFieldsHandler() {
        protocol_version = "HTTP/1.1";
        keep_open.add("Content-Type", "text/plain");
        keep_open.add("Content-Length", "5");
        then_close.add("Content-Length", "3");
        then_close.add("Connection", "close");
    }
    void do_GET() override {
        send_response(200);
        send_headers(path == "/close" ? then_close : keep_open);
        end_headers();
        wfile.write(path == "/close" ? "bye" : "hello");
    }
    HeaderBlock keep_open, then_close;
};

TEST(BaseHTTPRequestHandler, RenderedFieldsFrameTheBodyAndEndTheConnectionAsSendHeaderWould) {
    Server s(handler_class<RenderedFieldsHandler>());
    RawClient client(s.port());
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Content-Type"), "text/plain");
    EXPECT_EQ(r->header_count("Content-Length"), 1u);  // the server added none of its own
    EXPECT_FALSE(r->chunked);
    EXPECT_EQ(r->body, "hello");
    client.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");  // the same connection: it stayed open
    auto last = client.read_response();
    ASSERT_TRUE(last);
    EXPECT_EQ(last->body, "bye");
    EXPECT_TRUE(client.closed_by_server());
}

TEST(BaseHTTPRequestHandler, AHeaderBlockRefusesWhatSendHeaderRefuses) {
    BaseHTTPRequestHandler::HeaderBlock block;
    EXPECT_THROW(block.add("Bad Name", "x"), std::invalid_argument);
    EXPECT_THROW(block.add("X-Split", "a\r\nInjected: yes"), std::invalid_argument);
    block.add("X-Fine", "yes");
    EXPECT_EQ(block.text(), "X-Fine: yes\r\n");
}

// The check reads eight bytes at a time: each breaking byte at each place
// of a longer value is found, and the bytes near them are not taken for one.
TEST(BaseHTTPRequestHandler, AHeaderBlockRefusesCrLfAndNulWhereverTheyStand) {
    for (const char breaking : {'\r', '\n', '\0'}) {
        for (std::size_t at = 0; at < 21; ++at) {
            std::string value(21, 'v');
            value[at] = breaking;
            BaseHTTPRequestHandler::HeaderBlock block;
            EXPECT_THROW(block.add("X-Value", value), std::invalid_argument) << "byte " << int(breaking) << " at " << at;
        }
    }
    BaseHTTPRequestHandler::HeaderBlock block;
    const std::string near = "\t\x01\x0c\x0e\x7f\x80\xff tab, controls and high bytes";
    block.add("X-Near", near);
    EXPECT_EQ(block.text(), "X-Near: " + near + "\r\n");
}

class VersionHandler : public BaseHTTPRequestHandler {
public:
    VersionHandler() {
        server_version = "Custom/1.0";
        sys_version = "Test/2";
    }
    void do_GET() override { reply(*this, 200, version_string() + "|" + date_time_string() + "|" + log_date_time_string()); }
};

TEST(BaseHTTPRequestHandler, ServerAndDateHeadersComeFromVersionAndDateStrings) {
    Server s(handler_class<VersionHandler>());
    auto r = exchange(s.port(), "GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Server"), "Custom/1.0 Test/2");
    EXPECT_THAT(r->body, StartsWith("Custom/1.0 Test/2|"));
    const std::regex http_date(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
    EXPECT_TRUE(std::regex_match(*r->header("Date"), http_date)) << *r->header("Date");
    EXPECT_TRUE(std::regex_search(r->body, std::regex(R"(\|\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}$)"))) << r->body;

    Server plain(handler_class<DescribingHandler>());
    auto d = exchange(plain.port(), "GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(d);
    EXPECT_THAT(*d->header("Server"), StartsWith("BaseHTTP/0.6 mockserve/"));
}

class ErrorPageHandler : public BaseHTTPRequestHandler {
public:
    ErrorPageHandler() {
        error_message_format = "E%(code)d:%(message)s:%(explain)s";
        error_content_type = "text/x-error";
    }
    void do_GET() override {
        if (path == "/explain") return send_error(404, "Gone <fishing>", "Try & again");
        if (path == "/nocontent") return send_error(204);
        if (path.rfind("/status/", 0) == 0) return send_error(std::stoi(path.substr(8)));
        send_error(418);
    }
};

TEST(BaseHTTPRequestHandler, SendErrorUsesTheFormatAndContentType) {
    Server s(handler_class<ErrorPageHandler>());
    auto r = exchange(s.port(), "GET /explain HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->reason, "Gone <fishing>");
    EXPECT_EQ(r->header("Content-Type"), "text/x-error");
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_EQ(r->body, "E404:Gone &lt;fishing&gt;:Try &amp; again");
    auto teapot = exchange(s.port(), "GET /x HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(teapot);
    EXPECT_EQ(teapot->reason, "I'm a Teapot");
    EXPECT_EQ(teapot->body, "E418:I'm a Teapot:Server refuses to brew coffee because it is a teapot.");
    auto none = exchange(s.port(), "GET /nocontent HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 204);
    EXPECT_FALSE(none->header("Content-Type"));
    // As CPython's test_send_error: these carry neither body nor length.
    for (const int code : {101, 102, 204, 205, 304}) {
        RawClient client(s.port());
        client.send("GET /status/" + std::to_string(code) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto all = client.read_to_close();
        EXPECT_EQ(all.rfind("HTTP/1.0 " + std::to_string(code), 0), 0u) << all;
        EXPECT_EQ(all.find("Content-Length"), std::string::npos) << all;
        EXPECT_EQ(all.find("Content-Type"), std::string::npos) << all;
        EXPECT_EQ(all.substr(all.size() - 4), "\r\n\r\n") << all;  // nothing after the head
    }
    auto unknown = exchange(s.port(), "GET /status/999 HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 999);
    EXPECT_EQ(unknown->reason, "???");
    auto head = exchange(s.port(), "HEAD /explain HTTP/1.0\r\n\r\n", true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 501);  // no do_HEAD here
}

TEST(BaseHTTPRequestHandler, HeadNeverCarriesABody) {
    Server s(handler_class<DescribingHandler>());
    RawClient client(s.port());
    client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto head = client.read_response(true);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("Content-Length"), "31");
    auto next = client.read_response();  // would be garbled had HEAD sent its body
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    EXPECT_THAT(next->body, StartsWith("command=GET"));
}

class TableHandler : public BaseHTTPRequestHandler {
public:
    TableHandler() {
        static const ResponseTable table{{200, {"Fine", "All fine"}}, {404, {"Nope", "Not here"}}};
        responses = &table;
    }
    void do_GET() override {
        if (path == "/missing") return send_error(404);
        send_response(200);
        send_header("Content-Length", "0");
        end_headers();
    }
    void do_POST() override {
        send_response(299, "Custom Reason");
        send_header("Content-Length", "0");
        end_headers();
    }
};

TEST(BaseHTTPRequestHandler, ResponsesTableGivesReasonsAndExplanations) {
    Server s(handler_class<TableHandler>());
    auto ok = exchange(s.port(), "GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->reason, "Fine");
    auto missing = exchange(s.port(), "GET /missing HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->reason, "Nope");
    EXPECT_THAT(missing->body, HasSubstr("404 - Not here."));
    auto custom = exchange(s.port(), "POST / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(custom);
    EXPECT_EQ(custom->status, 299);
    EXPECT_EQ(custom->reason, "Custom Reason");
}

// Changes its table or its version between responses on one connection.
class ChangingStatusLineHandler : public BaseHTTPRequestHandler {
public:
    ChangingStatusLineHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        static const ResponseTable table{{200, {"Fine", "All fine"}}};
        if (path == "/table") responses = &table;
        if (path == "/builtin") responses = &default_responses();
        if (path == "/old") protocol_version = "HTTP/1.0";
        send_response(200);
        send_header("Content-Length", "0");
        end_headers();
    }
};

TEST(BaseHTTPRequestHandler, EachStatusLineFollowsTheTableAndVersionOfItsMoment) {
    Server s(handler_class<ChangingStatusLineHandler>());
    RawClient client(s.port());
    const auto next = [&](const std::string& path) {
        client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = client.read_response();
        return r ? r->version + " " + std::to_string(r->status) + " " + r->reason : std::string("no response");
    };
    EXPECT_EQ(next("/builtin"), "HTTP/1.1 200 OK");
    EXPECT_EQ(next("/builtin"), "HTTP/1.1 200 OK");  // the same line again
    EXPECT_EQ(next("/table"), "HTTP/1.1 200 Fine");
    EXPECT_EQ(next("/builtin"), "HTTP/1.1 200 OK");
    EXPECT_EQ(next("/old"), "HTTP/1.0 200 OK");
}

class InjectionHandler : public BaseHTTPRequestHandler {
public:
    void do_GET() override {
        send_response(200);
        send_header("X-Evil", "a\r\nSet-Cookie: stolen=1");
        end_headers();
    }
};

TEST(BaseHTTPRequestHandler, SendHeaderRefusesHeaderInjection) {
    Server s(handler_class<InjectionHandler>());
    auto r = exchange(s.port(), "GET / HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_FALSE(r->header("Set-Cookie"));
}

TEST(BaseHTTPRequestHandler, ProtocolVersionDecidesPersistence) {
    Server http11(handler_class<DescribingHandler>());
    {
        // The default handler speaks HTTP/1.0: one request per connection.
        Server s(handler_class<VersionHandler>());
        RawClient client(s.port());
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = client.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->version, "HTTP/1.0");
        EXPECT_TRUE(client.closed_by_server());
    }
    RawClient client(http11.port());  // DescribingHandler: HTTP/1.1
    for (int i = 0; i < 3; ++i) {
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = client.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->version, "HTTP/1.1");
    }
    client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    EXPECT_TRUE(client.closed_by_server());

    RawClient keep_alive_10(http11.port());  // an HTTP/1.0 client that asks to keep the connection
    for (int i = 0; i < 2; ++i) {
        keep_alive_10.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        auto r = keep_alive_10.read_response();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->header("Connection"), "keep-alive");
    }
}

class LoggingHandler : public BaseHTTPRequestHandler {
public:
    using BaseHTTPRequestHandler::log_message;
    void do_GET() override {
        log_message("custom %s and %d", "text", 42);
        log_error("an error: %r", path);
        log_request(299, 1234);
        reply(*this, 200, "ok");
    }
};

TEST(BaseHTTPRequestHandler, LogsInPythonsFormatWithControlCharactersEscaped) {
    Server s(handler_class<LoggingHandler>());
    ASSERT_TRUE(exchange(s.port(), "GET /p HTTP/1.0\r\n\r\n"));
    const std::regex prefix(R"(^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}\] )");
    const auto request = s.log.wait_for("\"GET /p HTTP/1.0\" 200 -");
    EXPECT_TRUE(std::regex_search(request, prefix)) << request;
    EXPECT_NE(s.log.wait_for("] custom text and 42"), "");
    EXPECT_NE(s.log.wait_for("] an error: '/p'"), "");
    EXPECT_NE(s.log.wait_for("] \"GET /p HTTP/1.0\" 299 1234"), "");

    // A request line with an escape sequence is refused, and logged escaped.
    auto r = exchange(s.port(), "GET /\x1b[31mred HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    const auto line = s.log.wait_for("red HTTP/1.0");
    EXPECT_THAT(line, HasSubstr("\\x1b[31mred"));
    EXPECT_EQ(line.find('\x1b'), std::string::npos);
}

class ThrowingHandler : public BaseHTTPRequestHandler {
public:
    ThrowingHandler() { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        if (path == "/throw") throw std::runtime_error("boom");
        if (path == "/silent") return;
        if (path == "/unfinished") {
            send_response(202);
            send_header("Content-Length", "0");
            return;  // no end_headers()
        }
        reply(*this, 200, "fine");
    }
};

TEST(BaseHTTPRequestHandler, ExceptionBecomes500ForThatRequestOnly) {
    Server s(handler_class<ThrowingHandler>());
    auto r = exchange(s.port(), "GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_THAT(r->body, HasSubstr("boom"));
    EXPECT_THAT(s.log.wait_for("Exception in handler"), HasSubstr("boom"));
    auto next = exchange(s.port(), "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "fine");
}

TEST(BaseHTTPRequestHandler, MissingOrUnfinishedResponsesAreCompleted) {
    Server s(handler_class<ThrowingHandler>());
    auto silent = exchange(s.port(), "GET /silent HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(silent);
    EXPECT_EQ(silent->status, 500);
    EXPECT_NE(s.log.wait_for("sent no response"), "");
    auto unfinished = exchange(s.port(), "GET /unfinished HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(unfinished);
    EXPECT_EQ(unfinished->status, 202);
}

std::atomic<int> setups{0}, finishes{0}, handles{0}, one_requests{0};

class LifecycleHandler : public BaseHTTPRequestHandler {
public:
    LifecycleHandler() { protocol_version = "HTTP/1.1"; }
    void setup() override { ++setups; }
    void finish() override { ++finishes; }
    void handle() override {
        ++handles;
        BaseHTTPRequestHandler::handle();
    }
    void handle_one_request() override {
        ++one_requests;
        BaseHTTPRequestHandler::handle_one_request();
    }
    void do_GET() override { reply(*this, 200, "x"); }
};

TEST(BaseHTTPRequestHandler, SetupHandleAndFinishFollowTheConnection) {
    Server s(handler_class<LifecycleHandler>());
    {
        RawClient client(s.port());
        for (int i = 0; i < 3; ++i) {
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            ASSERT_TRUE(client.read_response());
        }
        client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        ASSERT_TRUE(client.read_response());
        EXPECT_TRUE(client.closed_by_server());
    }
    s.server.shutdown();  // every connection's finish() has run once it returns
    EXPECT_EQ(setups.load(), 1);
    EXPECT_EQ(finishes.load(), 1);
    EXPECT_EQ(handles.load(), 4);
    EXPECT_EQ(one_requests.load(), 4);
}

class ExpectHandler : public BaseHTTPRequestHandler {
public:
    ExpectHandler() { protocol_version = "HTTP/1.1"; }
    bool handle_expect_100() override {
        if (headers.get("X-Reject")) {
            send_error(417);
            return false;
        }
        return BaseHTTPRequestHandler::handle_expect_100();
    }
    void do_POST() override { reply(*this, 200, rfile.read()); }
};

TEST(BaseHTTPRequestHandler, Expect100ContinueBeforeTheBody) {
    Server s(handler_class<ExpectHandler>());
    RawClient client(s.port());
    client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    auto interim = client.read_response();  // sent before any body byte
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    client.send("body");
    auto final_response = client.read_response();
    ASSERT_TRUE(final_response);
    EXPECT_EQ(final_response->status, 200);
    EXPECT_EQ(final_response->body, "body");

    RawClient rejected(s.port());
    rejected.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nX-Reject: 1\r\n\r\n");
    auto refusal = rejected.read_response();
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 417);
    EXPECT_TRUE(rejected.closed_by_server());
}

}  // namespace
}  // namespace mockserve::http
