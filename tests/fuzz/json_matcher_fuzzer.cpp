// The JSON body condition of a route (request.json): canonical_json and the
// matcher that compares with it (mockserver/scenario/src/request_matcher.hpp).
// Properties, for any body:
//   - a body that is JSON has a canonical form that is itself JSON and its
//     own canonical form (the form is a fixed point);
//   - a route whose request.json is that body matches a request carrying it,
//     and a body that is not JSON never matches a JSON condition;
//   - a matcher that does not match says why, and one that matches says
//     nothing.

#include "fuzz_property.hpp"

#include "request_matcher.hpp"

#include <mockserve/scenario/scenario.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mockserve::scenario;
using mockserve::fuzz::check_property;

bool matches_body(const RequestPattern& pattern, std::string_view body, std::vector<std::string>& why) {
    const std::vector<Field> none;
    detail::RequestFacts facts;
    facts.method = "POST";
    facts.path = "/";
    facts.query = &none;
    facts.headers = &none;
    facts.body = body;
    return detail::matches(pattern, facts, &why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto canonical = canonical_json(body);

    RequestPattern pattern;
    pattern.json = canonical ? *canonical : std::string(R"({"a":1})");
    std::vector<std::string> why;
    const bool matched = matches_body(pattern, body, why);
    check_property(matched == why.empty(), "a matcher explains a mismatch and only a mismatch");
    if (!canonical) {
        check_property(!matched, "a body that is not JSON never matches a JSON condition");
        return 0;
    }
    check_property(canonical_json(*canonical) == canonical, "the canonical form is its own canonical form");
    check_property(matched, "a body matches a condition made of itself");
    return 0;
}
