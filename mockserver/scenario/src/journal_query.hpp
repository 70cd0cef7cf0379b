#pragma once
// JournalQuery: the query of the control API's GET /requests, read and
// applied. Pure.
//
//   server=NAME  route=NAME  method=GET  path=/exact or path=/prefix*
//   unmatched=1 (only requests no route matched; 0: only matched ones)
//   since=SEQ (only requests numbered above SEQ)
//   wait=DURATION (500ms, 5s, or seconds as a bare number; at most 60 s):
//   long-poll for the first request the other conditions select.
// Every condition given must hold. An unknown parameter, or a value that
// does not read, is a mistake (400), so that a typo never selects
// everything. `token` is the control guard's and is passed over here.

#include <mockserve/scenario/recorded_request.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mockserve::scenario::detail {

struct JournalQuery {
    std::optional<std::string> server;
    std::optional<std::string> route;
    std::optional<std::string> method;
    std::optional<std::string> path;  // ending in '*': a prefix
    std::optional<bool> unmatched;
    std::uint64_t since = 0;
    std::optional<std::chrono::milliseconds> wait;

    static constexpr std::chrono::seconds kLongestWait{60};

    // Nothing, with `error` saying why, when the query has a mistake.
    static std::optional<JournalQuery> parse(const std::vector<std::pair<std::string, std::string>>& query,
                                             std::string& error);
    bool matches(const RecordedRequest& request) const;
};

}  // namespace mockserve::scenario::detail
