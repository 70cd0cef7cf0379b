#include "byte_ranges.hpp"

#include <mockserve/detail/text.hpp>

namespace mockserve::http::detail {

RangeRequest parse_range(std::string_view header, std::uint64_t size, std::size_t max_ranges) {
    RangeRequest request;
    header = trim_ows(header);
    if (header.substr(0, 6) != "bytes=") return request;
    auto specs = header.substr(6);
    std::size_t count = 0;
    bool any = false;
    while (true) {
        const auto comma = specs.find(',');
        const auto spec = trim_ows(specs.substr(0, comma));
        if (!spec.empty()) {
            if (++count > max_ranges) return RangeRequest{};
            const auto dash = spec.find('-');
            if (dash == std::string_view::npos) return RangeRequest{};
            const auto first_text = spec.substr(0, dash);
            const auto last_text = spec.substr(dash + 1);
            any = true;
            if (first_text.empty()) {  // suffix: the last N bytes
                const auto suffix = parse_decimal(last_text);
                if (!suffix) return RangeRequest{};
                if (*suffix > 0 && size > 0)
                    request.ranges.push_back({size - std::min(*suffix, size), size - 1});
            } else {
                const auto first = parse_decimal(first_text);
                const auto last = last_text.empty() ? std::optional<std::uint64_t>(UINT64_MAX) : parse_decimal(last_text);
                if (!first || !last || *last < *first) return RangeRequest{};
                if (*first < size) request.ranges.push_back({*first, std::min(*last, size - 1)});
            }
        }
        if (comma == std::string_view::npos) break;
        specs.remove_prefix(comma + 1);
    }
    if (!any) return RangeRequest{};
    request.kind = request.ranges.empty() ? RangeRequest::Kind::unsatisfiable : RangeRequest::Kind::satisfiable;
    return request;
}

}  // namespace mockserve::http::detail
