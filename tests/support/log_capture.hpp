#pragma once
// LogCapture: a server log sink that keeps lines for a test to look at, and
// lets it wait (bounded) for a line that must come.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::test_support {

class LogCapture {
public:
    auto sink() {
        return [this](std::string_view line) {
            {
                std::lock_guard lock(mutex_);
                lines_.emplace_back(line);
            }
            changed_.notify_all();
        };
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }
    // Waits until a line contains `text`; returns it, or "" after `wait`.
    std::string wait_for(std::string_view text, std::chrono::milliseconds wait = std::chrono::seconds(10)) const {
        std::unique_lock lock(mutex_);
        std::string found;
        changed_.wait_for(lock, wait, [&] {
            for (const auto& line : lines_)
                if (line.find(text) != std::string::npos) {
                    found = line;
                    return true;
                }
            return false;
        });
        return found;
    }

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::string> lines_;
};

}  // namespace mockserve::test_support
