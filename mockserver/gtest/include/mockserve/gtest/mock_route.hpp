#pragma once
// MockRoute: a route whose answers come from a GoogleMock object, so that
// EXPECT_CALL works against a running server:
//
//   MockRoute api;
//   ScenarioBuilder b;
//   b.server("api").route("users").request("/users/*").answer_with(api.answer());
//   FakeServer server(b);
//   EXPECT_CALL(api, Handle(AllOf(Method("GET"), Path("/users/42"))))
//       .WillOnce(Return(Response(200).Json(R"({"id":42})")));
//
// Handle() is called on a server thread, possibly on several at once:
// GoogleMock's calls are thread-safe, but set every EXPECT_CALL before the
// code under test sends requests, and let the MockRoute outlive the server
// (declare it first). A call no expectation matches gets Response(): a 500
// that says so, and GoogleMock reports the unexpected call.

#include <mockserve/gtest/matchers.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <gmock/gmock.h>

#include <functional>
#include <string>

namespace mockserve::gtest {

class Response {
public:
    // 500 with a body explaining that no expectation matched: what an
    // unexpected call to a mock route answers.
    Response();
    explicit Response(int status);
    Response& Header(const std::string& name, const std::string& value);
    Response& Body(const std::string& body);
    // The body, and Content-Type: application/json.
    Response& Json(const std::string& json);
    Response& Delay(std::chrono::milliseconds delay);

    const scenario::CannedResponse& canned() const { return canned_; }

private:
    scenario::CannedResponse canned_;
};

std::ostream& operator<<(std::ostream& os, const Response& response);

class MockRoute {
public:
    MOCK_METHOD(Response, Handle, (const RecordedRequest& request));

    // For RouteBuilder::answer_with(): calls Handle() for each request.
    std::function<scenario::CannedResponse(const RecordedRequest&)> answer();
};

}  // namespace mockserve::gtest
