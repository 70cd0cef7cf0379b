#include <mockserve/scenario/recorded_request.hpp>

#include <mockserve/headers.hpp>

#include <sstream>

namespace mockserve::scenario {

namespace {
constexpr std::size_t kPrintedBody = 2048;
}

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (http::iequals(n, name)) return v;
    return std::nullopt;
}

std::optional<std::string> RecordedRequest::query_parameter(std::string_view name) const {
    for (const auto& [n, v] : query)
        if (n == name) return v;
    return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, const RecordedRequest& r) {
    os << r.method << ' ' << r.target << ' ' << r.version << '\n';
    for (const auto& [name, value] : r.headers) os << name << ": " << value << '\n';
    if (r.body_size > 0) {
        os << '\n' << std::string_view(r.body).substr(0, kPrintedBody);
        if (r.body.size() > kPrintedBody || r.body_truncated)
            os << "\n[... " << r.body_size << " bytes in all]";
        os << '\n';
    }
    os << "-- #" << r.sequence << " on " << r.server;
    if (r.stream_id != 0) os << " (stream " << r.stream_id << ")";
    os << ", route " << r.route.value_or("(none)") << ", ";
    if (!r.answered) {
        os << "not answered yet";
    } else if (r.status == 0) {
        os << "no response sent (after " << r.duration.count() << " us)";
    } else {
        os << "answered " << r.status << " in " << r.duration.count() << " us";
    }
    if (r.tls) {
        os << "\n-- over " << r.tls->version << " (" << r.tls->cipher;
        if (!r.tls->sni.empty()) os << ", SNI " << r.tls->sni;
        if (!r.tls->alpn.empty()) os << ", ALPN " << r.tls->alpn;
        if (!r.tls->client_subject.empty()) os << ", client certificate " << r.tls->client_subject;
        os << ")";
    }
    if (r.delay.count() > 0 || !r.fault.empty()) {
        os << "\n--";
        if (r.delay.count() > 0) os << " delayed " << r.delay.count() << " ms";
        if (!r.fault.empty()) os << (r.delay.count() > 0 ? "," : "") << " fault " << r.fault;
    }
    if (r.upstream) {
        os << "\n-- forwarded to " << r.upstream->url << ": ";
        if (r.upstream->status) os << r.upstream->status << " in " << r.upstream->time.count() << " us";
        if (!r.upstream->error.empty()) os << (r.upstream->status ? ", then " : "") << r.upstream->error;
    }
    if (!r.state.empty()) {
        os << "\n-- state " << r.state;
        if (r.next_state != r.state) os << " -> " << r.next_state;
    }
    if (!r.explanation.empty()) os << "\n-- " << r.explanation;
    return os;
}

std::string listing(const std::vector<RecordedRequest>& requests) {
    if (requests.empty()) return "no request was received";
    std::ostringstream out;
    out << requests.size() << (requests.size() == 1 ? " request" : " requests") << " received:";
    for (const auto& request : requests) out << "\n\n" << request;
    return out.str();
}

std::string summary(const RecordedRequest& r) {
    std::ostringstream out;
    out << '#' << r.sequence << ' ' << r.method << ' ' << r.target << " (server " << r.server << ", route "
        << r.route.value_or("none") << ", " << r.status << ')';
    return out.str();
}

}  // namespace mockserve::scenario
