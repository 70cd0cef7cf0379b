// The Range header (lib/src/byte_ranges.hpp), parsed for representations of
// several sizes, from empty to the largest. Properties:
//   - every range it returns lies inside the representation, first <= last;
//   - "satisfiable" has at least one range and at most max_ranges;
//   - "ignore" and "unsatisfiable" have none, and an empty representation
//     is never satisfiable.

#include "fuzz_property.hpp"

#include "byte_ranges.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace {

using namespace mockserve::http::detail;
using mockserve::fuzz::check_property;

void check_size(std::string_view header, std::uint64_t size, std::size_t max_ranges) {
    const auto request = parse_range(header, size, max_ranges);
    if (request.kind != RangeRequest::Kind::satisfiable) {
        check_property(request.ranges.empty(), "only a satisfiable request has ranges");
        return;
    }
    check_property(size > 0, "nothing in an empty representation is satisfiable");
    check_property(!request.ranges.empty() && request.ranges.size() <= max_ranges,
                   "a satisfiable request has 1 to max_ranges ranges");
    for (const auto& range : request.ranges) {
        check_property(range.first <= range.last, "a range's first byte is not after its last");
        check_property(range.last < size, "a range lies inside the representation");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    constexpr auto most = std::numeric_limits<std::uint64_t>::max();
    for (const std::uint64_t file_size : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{100},
                                          std::uint64_t{1} << 40, most / 2, most - 1, most}) {
        check_size(header, file_size, 100);
        check_size(header, file_size, 2);
    }
    return 0;
}
