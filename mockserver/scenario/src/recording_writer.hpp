#pragma once
// What a recording proxy route let through, as scenario routes that replay
// it. Pure: exchanges in, INI text and body files out. Rules:
//   - one route per distinct request, in the order first seen: the method
//     and path (request = METHOD PATH), each query parameter
//     (request.query), the headers the recording matches on
//     (Proxy::record_headers, request.header), and the body: JSON as
//     request.json, other text that fits a line as request.body (a body
//     INI cannot hold is left out of the conditions, and of what makes two
//     requests distinct);
//   - where one path has several routes, those with more conditions come
//     first, so that a request matching several finds its own;
//   - repeated requests whose responses differ become a sequence: a route
//     with `times = N` per run of equal responses, the last one without
//     `times` (it goes on answering);
//   - the response: its status (and reason when not the usual one), its
//     headers as the client got them but Date (the replaying server sends
//     its own), Transfer-Encoding: chunked when it came chunked, and its
//     body inline when it is UTF-8 text of at most 1 KiB on one line, else
//     in a file under the body folder;
//   - unless record_secrets: Authorization, Cookie, Set-Cookie and
//     Proxy-Authorization values become REDACTED, and a request header of
//     those that is matched on is only required to be present.

#include "recording.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mockserve::scenario::detail {

struct RecordingText {
    std::string routes;  // the [route SERVER NAME] sections
    std::vector<std::pair<std::string, std::string>> bodies;  // file name in the body folder, content
    std::size_t route_count = 0;
};

// `first`: the number in the first route's name (routes already in the
// file, plus one); `body_dir`: the body folder as the file names it.
RecordingText write_recording(const std::string& server, const std::vector<ProxiedExchange>& exchanges,
                              const Proxy& settings, std::size_t first, const std::string& body_dir);

// The comment at the top of a recorded file (or of what is appended to one).
std::string recording_preamble(const Proxy& settings, std::size_t exchanges, std::size_t routes,
                               std::chrono::system_clock::time_point when);

// Whether a header's value is a credential the recording redacts.
bool is_secret_header(std::string_view name);

}  // namespace mockserve::scenario::detail
