// The known HTTP/2 attacks, each sent as raw frames (http2_frames.py, on
// python3-h2's hyperframe and hpack) at a server with enable_http2(): each
// is refused, a well-behaved client is served while and after it happens,
// and handlers never run more than the stream limit at once.
#include <mockserve/base_http_request_handler.hpp>
#include <mockserve/http_server.hpp>

#include "support/child_process.hpp"
#include "support/h2_client.hpp"
#include "support/log_capture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mockserve::http {
namespace {

using ::testing::HasSubstr;
using test_support::ChildProcess;
using test_support::LogCapture;
using test_support::Protocol;

constexpr std::size_t kStreamLimit = 10;

struct Counters {
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::atomic<int> started{0};
};

class AttackedHandler : public BaseHTTPRequestHandler {
public:
    explicit AttackedHandler(Counters* counters) : counters_(counters) { protocol_version = "HTTP/1.1"; }
    void do_GET() override {
        std::string body = "ok";
        if (path == "/slow") {
            const int now = ++counters_->running;
            ++counters_->started;
            int most = counters_->most.load();
            while (now > most && !counters_->most.compare_exchange_weak(most, now)) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a handler that takes its time
            --counters_->running;
        } else if (path == "/big") {
            body.assign(1024 * 1024, 'b');
        }
        send_response(200);
        send_header("Content-Length", std::to_string(body.size()));
        end_headers();
        wfile.write(body);
    }

private:
    Counters* counters_;
};

struct Attacked {
    Attacked() : server({"127.0.0.1", 0}, handler_class<AttackedHandler>(&counters), limits()) {
        server.set_log_sink(log.sink());
        server.enable_http2();
        server.start();
    }
    static Limits limits() {
        Limits l;
        l.max_concurrent_streams = kStreamLimit;
        l.io_timeout = std::chrono::milliseconds(500);
        return l;
    }
    // Runs one case of http2_frames.py; its output, and whether it passed.
    std::pair<std::string, bool> attack(const std::string& name) {
        ChildProcess script({"/usr/bin/python3", std::string(MOCKSERVE_TESTS) + "/http/http2_frames.py", name,
                             std::to_string(server.server_port)});
        std::string output;
        while (const auto line = script.read_line(std::chrono::seconds(30))) output += *line + "\n";
        const auto code = script.wait(std::chrono::seconds(30));
        return {output + script.read_stderr(), code == 0};
    }
    // A well-behaved client of the same server.
    bool serves_others() {
        test_support::H2Client client(server.server_port, Protocol::h2c);
        return client.fetch({"GET", "/ok", {}, ""}).body == "ok";
    }

    Counters counters;
    LogCapture log;
    HTTPServer server;
};

TEST(Http2Attacks, RapidResetEndsTheConnectionAndRunsNoMoreHandlersThanTheLimit) {
    Attacked a;
    const auto [output, passed] = a.attack("rapid_reset");
    EXPECT_TRUE(passed) << output;
    EXPECT_LE(a.counters.most.load(), static_cast<int>(kStreamLimit));
    EXPECT_LT(a.counters.started.load(), 1000);  // 5000 streams opened, most never ran
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, AContinuationFloodEndsTheConnection) {
    Attacked a;
    const auto [output, passed] = a.attack("continuation_flood");
    EXPECT_TRUE(passed) << output;
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, AnHpackBombEndsTheConnection) {
    Attacked a;
    const auto [output, passed] = a.attack("hpack_bomb");
    EXPECT_TRUE(passed) << output;
    EXPECT_THAT(output, HasSubstr("goaway 11"));  // ENHANCE_YOUR_CALM
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, ASettingsFloodEndsTheConnection) {
    Attacked a;
    const auto [output, passed] = a.attack("settings_flood");
    EXPECT_TRUE(passed) << output;
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, APingFloodEndsTheConnection) {
    Attacked a;
    const auto [output, passed] = a.attack("ping_flood");
    EXPECT_TRUE(passed) << output;
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, AZeroWindowStallResetsTheStreamAfterTheIoTimeout) {
    Attacked a;
    const auto [output, passed] = a.attack("zero_window");
    EXPECT_TRUE(passed) << output;
    EXPECT_THAT(output, HasSubstr("rst_stream 1 8"));  // CANCEL
    EXPECT_TRUE(a.serves_others());
}

TEST(Http2Attacks, StreamsPastTheLimitAreRefused) {
    Attacked a;
    const auto [output, passed] = a.attack("too_many_streams");
    EXPECT_TRUE(passed) << output;
    EXPECT_LE(a.counters.most.load(), static_cast<int>(kStreamLimit));
    EXPECT_TRUE(a.serves_others());
}

}  // namespace
}  // namespace mockserve::http
