#include <mockserve/gtest/mock_route.hpp>

namespace mockserve::gtest {

Response::Response() : Response(500) {
    canned_.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    canned_.body = "Unexpected call to a mock route: no EXPECT_CALL matched this request.\n";
}

Response::Response(int status) { canned_.status = status; }

Response& Response::Header(const std::string& name, const std::string& value) {
    canned_.headers.emplace_back(name, value);
    return *this;
}

Response& Response::Body(const std::string& body) {
    canned_.body = body;
    return *this;
}

Response& Response::Json(const std::string& json) {
    canned_.headers.emplace_back("Content-Type", "application/json");
    canned_.body = json;
    return *this;
}

Response& Response::Delay(std::chrono::milliseconds delay) {
    canned_.delay = delay;
    return *this;
}

std::ostream& operator<<(std::ostream& os, const Response& response) {
    os << "Response(" << response.canned().status;
    if (!response.canned().body.empty()) os << ", body " << ::testing::PrintToString(response.canned().body);
    return os << ")";
}

std::function<scenario::CannedResponse(const RecordedRequest&)> MockRoute::answer() {
    return [this](const RecordedRequest& request) { return Handle(request).canned(); };
}

}  // namespace mockserve::gtest
