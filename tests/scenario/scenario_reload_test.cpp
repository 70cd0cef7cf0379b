// A running scenario that changes: reload() (the file again, or another
// scenario), what a reload refuses, --watch (RunnerOptions::watch) seeing
// an edited file, and a file with mistakes leaving the run as it was.
#include <mockserve/scenario/scenario_loader.hpp>
#include <mockserve/scenario/scenario_runner.hpp>

#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace mockserve::scenario {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test_support::TempDir;

const std::string kFile = R"([scenario]
name = reload

[server api]
[route api hello]
request = GET /hello
response = 200
response.body = hello

[route api once]
request = GET /once
times = 1
response = 200
)";

std::string body(const ScenarioRunner& runner, const std::string& target) {
    const auto response = test_support::exchange(runner.port("api"), "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    return response ? std::to_string(response->status) + " " + response->body.substr(0, response->body.find('\n'))
                    : "no answer";
}

std::string with(std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
}

TEST(ScenarioReload, ReplacesRoutesKeepsPortsAndJournalAndStartsCountsAgain) {
    TempDir dir;
    const auto file = dir.write("s.ini", kFile);
    ScenarioRunner runner(load_scenario(file).scenario.value());
    const auto port = runner.port("api");
    EXPECT_EQ(body(runner, "/once"), "200 ");
    EXPECT_EQ(body(runner, "/once"), "404 No route matched GET /once. Closest routes:");
    dir.write("s.ini", with(kFile, "response.body = hello", "response.body = hello again"));
    EXPECT_THAT(runner.reload(), ElementsAre());
    EXPECT_EQ(runner.port("api"), port);
    EXPECT_EQ(body(runner, "/hello"), "200 hello again");
    EXPECT_EQ(body(runner, "/once"), "200 ");  // its count started again
    EXPECT_EQ(runner.journal().size(), 4u);    // the journal was kept
}

TEST(ScenarioReload, RefusesWhatARunningServerCannotChange) {
    TempDir dir;
    const auto file = dir.write("s.ini", kFile);
    ScenarioRunner runner(load_scenario(file).scenario.value());
    dir.write("s.ini", with(kFile, "[server api]", "[server api]\nprotocol = HTTP/1.0"));
    EXPECT_THAT(runner.reload(), ElementsAre("server api: protocol changed: restart mockserve to change it (a reload "
                                             "replaces routes, expectations and responses)"));
    dir.write("s.ini", "[server other]\n[route other x]\nrequest = GET /x\nresponse = 200\n");
    EXPECT_THAT(runner.reload(), ElementsAre(HasSubstr("the servers changed (running: api; in the file: other)")));
    dir.write("s.ini", with(kFile, "response = 200\nresponse.body", "response = 600\nresponse.body"));
    EXPECT_THAT(runner.reload(), ElementsAre(file.string() + ":7: response status must be 100-599, not '600'"));
    EXPECT_EQ(body(runner, "/hello"), "200 hello");  // as it was
}

TEST(ScenarioReload, AScenarioMadeInCodeHasNoFileToReload) {
    auto scenario = parse_scenario(kFile, "text", "/").scenario.value();
    scenario.files.clear();
    ScenarioRunner runner(scenario);
    EXPECT_THAT(runner.reload(), ElementsAre(HasSubstr("no file to load again")));
}

// What the runner says, gathered for a test to wait on.
class Notices {
public:
    http::LogSink sink() {
        return [this](std::string_view line) {
            std::lock_guard hold(mutex_);
            lines_.emplace_back(line);
            changed_.notify_all();
        };
    }
    // Waits (bounded) for a line containing `text`; returns every line so far.
    std::vector<std::string> wait_for(const std::string& text) {
        std::unique_lock hold(mutex_);
        changed_.wait_for(hold, std::chrono::seconds(10), [&] {
            for (const auto& line : lines_)
                if (line.find(text) != std::string::npos) return true;
            return false;
        });
        return lines_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

RunnerOptions watching(Notices& notices) {
    RunnerOptions options;
    options.watch = true;
    options.notices = notices.sink();
    return options;
}

TEST(ScenarioWatch, AnEditedFileIsReloadedAndABrokenOneRefused) {
    TempDir dir;
    const auto file = dir.write("s.ini", kFile);
    Notices notices;
    ScenarioRunner runner(load_scenario(file).scenario.value(), watching(notices));
    EXPECT_EQ(body(runner, "/hello"), "200 hello");
    // Written in place: a watcher that wakes between the truncation and the
    // write (a loaded machine) may first see an empty file and refuse it;
    // the write that follows is reloaded all the same.
    dir.write("s.ini", with(kFile, "response.body = hello", "response.body = edited"));
    EXPECT_THAT(notices.wait_for("reloaded"), Contains("mockserve: reloaded " + file.string()));
    EXPECT_EQ(body(runner, "/hello"), "200 edited");
    // Saved the way many editors save: a new file renamed over the old one.
    dir.write("s.ini.tmp", with(kFile, "response = 200\nresponse.body", "response = 999\nresponse.body"));
    std::filesystem::rename(dir.path() / "s.ini.tmp", file);
    const auto said = notices.wait_for("999");
    ASSERT_GE(said.size(), 3u);
    EXPECT_THAT(std::vector<std::string>(said.end() - 3, said.end()),
                ElementsAre("mockserve: reloaded " + file.string(),
                            "mockserve: " + file.string() +
                                " changed, but was not reloaded; the running scenario stays as it was:",
                            file.string() + ":7: response status must be 100-599, not '999'"));
    EXPECT_EQ(body(runner, "/hello"), "200 edited");
}

TEST(ScenarioWatch, AFileTheScenarioNamesCountsToo) {
    TempDir dir;
    dir.write("body.txt", "first");
    const auto file = dir.write("s.ini", "[server api]\n[route api b]\nrequest = GET /b\nresponse = 200\n"
                                         "response.body_file = body.txt\n");
    Notices notices;
    ScenarioRunner runner(load_scenario(file).scenario.value(), watching(notices));
    EXPECT_EQ(body(runner, "/b"), "200 first");
    dir.write("body.txt", "second");
    notices.wait_for("reloaded");
    EXPECT_EQ(body(runner, "/b"), "200 second");
}

}  // namespace
}  // namespace mockserve::scenario
