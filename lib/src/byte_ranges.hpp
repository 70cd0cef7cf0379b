#pragma once
// The Range header of a GET (RFC 9110 section 14), for a representation of
// a known size. Pure.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mockserve::http::detail {

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;  // inclusive
    std::uint64_t length() const { return last - first + 1; }
};

struct RangeRequest {
    enum class Kind {
        ignore,         // no Range, not "bytes", malformed, or too many: send the whole
        satisfiable,    // `ranges` holds at least one
        unsatisfiable,  // 416 with Content-Range: bytes */size
    };
    Kind kind = Kind::ignore;
    std::vector<ByteRange> ranges;
};

// Ranges past the end are clipped; ones wholly past it dropped; more than
// `max_ranges` are ignored (the whole is sent, as RFC 9110 permits).
RangeRequest parse_range(std::string_view header, std::uint64_t size, std::size_t max_ranges = 100);

}  // namespace mockserve::http::detail
