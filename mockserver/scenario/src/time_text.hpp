#pragma once
// A time as the journal and the report write it: ISO 8601 in UTC with
// microseconds, "2026-12-01T06:40:12.345678Z".

#include <chrono>
#include <string>

namespace mockserve::scenario::detail {

std::string iso8601(std::chrono::system_clock::time_point when);

}  // namespace mockserve::scenario::detail
