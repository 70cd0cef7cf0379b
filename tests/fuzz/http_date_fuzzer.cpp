// HTTP dates (<mockserve/http_date.hpp>), as If-Modified-Since brings them:
// the IMF-fixdate form and the two obsolete forms. Properties:
//   - any text parses or not, without undefined behaviour (day, month and
//     year arithmetic on what a client wrote);
//   - a date it accepts is written back as a 29-byte IMF-fixdate that
//     parses to the same second: comparing with a file's time is exact.

#include "fuzz_property.hpp"

#include <mockserve/http_date.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mockserve::http;
    using mockserve::fuzz::check_property;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto when = parse_http_date(text);
    if (!when) return 0;
    const std::string written = format_http_date(*when);
    check_property(written.size() == 29 && written.ends_with(" GMT"), "a date is written as an IMF-fixdate");
    check_property(parse_http_date(written) == when, "and reads back as the same second");
    return 0;
}
