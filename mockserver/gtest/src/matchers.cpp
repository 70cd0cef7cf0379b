#include <mockserve/gtest/matchers.hpp>

#include <mockserve/scenario/scenario.hpp>

#include <boost/json.hpp>

#include <cstdio>

namespace mockserve::gtest::detail {

std::optional<std::string> method_of(const RecordedRequest& r, const std::string&) { return r.method; }

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
