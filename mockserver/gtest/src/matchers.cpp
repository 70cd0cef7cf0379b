#include <mockserve/gtest/matchers.hpp>

#include <mockserve/scenario/scenario.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace mockserve::gtest::detail {

std::optional<std::string> method_of(const RecordedRequest& r, const std::string&) { return r.method; }
std::optional<std::string> version_of(const RecordedRequest& r, const std::string&) { return r.version; }

std::optional<std::string> sni_of(const RecordedRequest& r, const std::string&) {
    if (!r.tls || r.tls->sni.empty()) return std::nullopt;
    return r.tls->sni;
}

std::optional<std::string> tls_version_of(const RecordedRequest& r, const std::string&) {
    if (!r.tls) return std::nullopt;
    return r.tls->version;
}

std::optional<std::string> client_subject_of(const RecordedRequest& r, const std::string&) {
    if (!r.tls || r.tls->client_subject.empty()) return std::nullopt;
    return r.tls->client_subject;
}

std::optional<std::string> state_of(const RecordedRequest& r, const std::string&) {
    if (r.state.empty()) return std::nullopt;
    return r.state;
}

std::optional<std::string> next_state_of(const RecordedRequest& r, const std::string&) {
    if (r.next_state.empty()) return std::nullopt;
    return r.next_state;
}

bool OverTlsMatcher::MatchAndExplain(const RecordedRequest& request, ::testing::MatchResultListener* listener) const {
    if (request.tls) return true;
    *listener << "which came over plain HTTP";
    return false;
}
std::optional<std::string> path_of(const RecordedRequest& r, const std::string&) { return r.path; }
std::optional<std::string> header_of(const RecordedRequest& r, const std::string& name) { return r.header(name); }
std::optional<std::string> query_of(const RecordedRequest& r, const std::string& name) { return r.query_parameter(name); }
std::optional<std::string> body_of(const RecordedRequest& r, const std::string&) { return r.body; }
std::optional<std::string> server_of(const RecordedRequest& r, const std::string&) { return r.server; }
std::optional<std::string> route_of(const RecordedRequest& r, const std::string&) { return r.route; }
std::optional<int> status_of(const RecordedRequest& r, const std::string&) { return r.status; }
std::optional<std::string> json_of(const RecordedRequest& r, const std::string&) { return scenario::canonical_json(r.body); }
std::optional<std::string> canonical(const std::string& json) { return scenario::canonical_json(json); }

std::optional<std::string> json_field_of(const RecordedRequest& r, const std::string& pointer) {
    boost::json::error_code ec;
    const auto document = boost::json::parse(r.body, ec);
    if (ec) return std::nullopt;
    const auto* value = document.find_pointer(pointer, ec);
    if (ec || !value) return std::nullopt;
    return scenario::canonical_json(boost::json::serialize(*value));
}

std::string json_text(long long value) { return std::to_string(value); }
std::string json_text(double value) {
    // Whole numbers print as integers, so that 1200.0 and 1200 agree.
    if (value == static_cast<double>(static_cast<long long>(value))) return std::to_string(static_cast<long long>(value));
    return boost::json::serialize(boost::json::value(value));
}
std::string json_text(bool value) { return value ? "true" : "false"; }
std::string json_text(const std::string& value) { return boost::json::serialize(boost::json::value(value)); }

}  // namespace mockserve::gtest::detail

namespace mockserve::gtest {

::testing::AssertionResult ReceivedInOrder(const std::vector<RecordedRequest>& requests,
                                           const std::vector<::testing::Matcher<const RecordedRequest&>>& in_order) {
    std::size_t at = 0;  // where the next step is looked for
    std::string found;   // "#3 then #5"
    for (std::size_t step = 0; step < in_order.size(); ++step) {
        const auto& matcher = in_order[step];
        while (at < requests.size() && !matcher.Matches(requests[at])) ++at;
        if (at == requests.size()) {
            std::ostringstream out;
            out << "step " << step + 1 << " of " << in_order.size() << ", a request that ";
            matcher.DescribeTo(&out);
            if (step == 0) {
                out << ", was not received";
            } else {
                out << ", did not come after " << found;
                const bool anywhere = std::any_of(requests.begin(), requests.end(),
                                                  [&](const RecordedRequest& r) { return matcher.Matches(r); });
                if (anywhere) out << " (one came earlier)";
            }
            return ::testing::AssertionFailure() << out.str() << "; " << scenario::listing(requests);
        }
        found += (found.empty() ? "#" : " then #") + std::to_string(requests[at].sequence);
        ++at;
    }
    return ::testing::AssertionSuccess() << "received in order: " << found;
}

}  // namespace mockserve::gtest
