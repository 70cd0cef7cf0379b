// Every matcher: a request it matches, one it does not, and the words of
// both its description and its explanation.
#include <mockserve/gtest/matchers.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace ::testing;
using namespace mockserve::gtest;

RecordedRequest payment() {
    RecordedRequest r;
    r.sequence = 3;
    r.server = "api";
    r.route = "create-payment";
    r.method = "POST";
    r.target = "/v1/payments?mode=test";
    r.path = "/v1/payments";
    r.query = {{"mode", "test"}};
    r.version = "HTTP/1.1";
    r.headers = {{"Host", "shop"}, {"Content-Type", "application/json"}};
    r.body = R"({"amount": 1200, "currency": "EUR", "items": [{"sku": "A1"}], "gift": false})";
    r.body_size = r.body.size();
    r.status = 201;
    return r;
}

// The explanation of a mismatch, or "" when it matches.
std::string why_not(const Matcher<const RecordedRequest&>& m, const RecordedRequest& r) {
    StringMatchResultListener listener;
    return m.MatchAndExplain(r, &listener) ? "" : listener.str();
}

std::string description(const Matcher<const RecordedRequest&>& m) { return DescribeMatcher<const RecordedRequest&>(m); }

TEST(Matchers, Method) {
    EXPECT_THAT(payment(), Method("POST"));
    EXPECT_EQ(why_not(Method("GET"), payment()), "which has method \"POST\", expected \"GET\"");
    EXPECT_EQ(description(Method("GET")), "has method \"GET\"");
    EXPECT_EQ(DescribeMatcher<const RecordedRequest&>(Method("GET"), true), "does not have method \"GET\"");
}

TEST(Matchers, HttpVersion) {
    EXPECT_THAT(payment(), HttpVersion("HTTP/1.1"));
    EXPECT_EQ(why_not(HttpVersion("HTTP/2.0"), payment()), "which has HTTP version \"HTTP/1.1\", expected \"HTTP/2.0\"");
    EXPECT_EQ(description(HttpVersion("HTTP/2.0")), "has HTTP version \"HTTP/2.0\"");
}

TEST(Matchers, PathExactOrRegex) {
    EXPECT_THAT(payment(), Path("/v1/payments"));
    EXPECT_THAT(payment(), PathMatches("/v1/[a-z]+"));
    EXPECT_EQ(why_not(Path("/v1/refunds"), payment()), "which has path \"/v1/payments\", expected \"/v1/refunds\"");
    EXPECT_EQ(why_not(PathMatches("/v2/.*"), payment()),
              "which has path \"/v1/payments\", expected matches regular expression \"/v2/.*\"");
    EXPECT_EQ(description(PathMatches("/v2/.*")), "has path that matches regular expression \"/v2/.*\"");
}

TEST(Matchers, Query) {
    EXPECT_THAT(payment(), Query("mode", "test"));
    EXPECT_EQ(why_not(Query("mode", "live"), payment()), "which has query parameter mode \"test\", expected \"live\"");
    EXPECT_EQ(why_not(Query("page", _), payment()), "which has no query parameter page");
}

TEST(Matchers, HeaderByAnyCase) {
    EXPECT_THAT(payment(), Header("content-type", HasSubstr("json")));
    EXPECT_THAT(payment(), Header("Host"));
    EXPECT_EQ(why_not(Header("Content-Type", "text/plain"), payment()),
              "which has header Content-Type \"application/json\", expected \"text/plain\"");
    EXPECT_EQ(why_not(Header("Authorization"), payment()), "which has no header Authorization");
    EXPECT_EQ(description(Header("Content-Type", HasSubstr("json"))),
              "has header Content-Type that has substring \"json\"");
}

TEST(Matchers, Body) {
    EXPECT_THAT(payment(), Body(HasSubstr("EUR")));
    EXPECT_EQ(why_not(Body("{}"), payment()),
              R"(which has body "{\"amount\": 1200, \"currency\": \"EUR\", \"items\": [{\"sku\": \"A1\"}], )"
              R"(\"gift\": false}", expected "{}")");
}

TEST(Matchers, JsonBodyIgnoresKeyOrderAndWhiteSpace) {
    EXPECT_THAT(payment(), JsonBody(R"({"gift": false, "items": [{"sku":"A1"}], "currency": "EUR", "amount": 1200})"));
    EXPECT_EQ(why_not(JsonBody(R"({"amount": 1})"), payment()),
              R"(which has JSON body {"amount":1200,"currency":"EUR","gift":false,"items":[{"sku":"A1"}]}, expected {"amount":1})");
    EXPECT_EQ(description(JsonBody(R"({"amount": 1})")), R"(has JSON body {"amount":1})");
    RecordedRequest text = payment();
    text.body = "not json";
    EXPECT_EQ(why_not(JsonBody("{}"), text), "which has no JSON body");
}

TEST(Matchers, JsonField) {
    EXPECT_THAT(payment(), JsonField("/amount", 1200));
    EXPECT_THAT(payment(), JsonField("/amount", 1200.0));
    EXPECT_THAT(payment(), JsonField("/currency", "EUR"));
    EXPECT_THAT(payment(), JsonField("/gift", false));
    EXPECT_THAT(payment(), JsonField("/items/0/sku", "A1"));
    EXPECT_THAT(payment(), JsonField("/currency", HasSubstr("EU")));
    // JSON text as it is: quotes only around strings.
    EXPECT_EQ(why_not(JsonField("/amount", 999), payment()), "which has JSON field /amount 1200, expected 999");
    EXPECT_EQ(why_not(JsonField("/currency", "USD"), payment()), R"(which has JSON field /currency "EUR", expected "USD")");
    EXPECT_EQ(why_not(JsonField("/missing", 1), payment()), "which has no JSON field /missing");
    EXPECT_EQ(description(JsonField("/amount", 1200)), "has JSON field /amount 1200");
    EXPECT_EQ(description(JsonField("/gift", false)), "has JSON field /gift false");
    EXPECT_EQ(description(JsonField("/currency", "EUR")), R"(has JSON field /currency "EUR")");
}

TEST(Matchers, ServerRouteAndStatus) {
    EXPECT_THAT(payment(), AllOf(OnServer("api"), Route("create-payment"), Status(201)));
    EXPECT_THAT(payment(), Status(Ge(200)));
    EXPECT_EQ(why_not(OnServer("legacy"), payment()), "which has server \"api\", expected \"legacy\"");
    EXPECT_EQ(why_not(Status(404), payment()), "which has status 201, expected 404");
    RecordedRequest unmatched = payment();
    unmatched.route.reset();
    EXPECT_EQ(why_not(Route(_), unmatched), "which has no route");
}

TEST(Matchers, Tls) {
    auto secure = payment();
    secure.tls = mockserve::http::TlsFacts{"TLSv1.3", "TLS_AES_256_GCM_SHA384", "shop.example", "http/1.1",
                                           "CN=client,O=mockserve"};
    EXPECT_THAT(secure, AllOf(OverTls(), Sni("shop.example"), TlsVersion("TLSv1.3"),
                              ClientCertificate(HasSubstr("CN=client"))));
    EXPECT_EQ(description(OverTls()), "came over TLS");
    EXPECT_EQ(DescribeMatcher<const RecordedRequest&>(OverTls(), true), "came over plain HTTP");
    EXPECT_EQ(why_not(OverTls(), payment()), "which came over plain HTTP");
    EXPECT_EQ(description(Sni("api.example")), "has TLS SNI \"api.example\"");
    EXPECT_EQ(why_not(Sni("api.example"), secure), "which has TLS SNI \"shop.example\", expected \"api.example\"");
    EXPECT_EQ(why_not(Sni("api.example"), payment()), "which has no TLS SNI");
    EXPECT_EQ(why_not(TlsVersion("TLSv1.2"), secure), "which has TLS version \"TLSv1.3\", expected \"TLSv1.2\"");
    secure.tls->client_subject.clear();
    EXPECT_EQ(why_not(ClientCertificate(_), secure), "which has no client certificate");
}

TEST(Matchers, States) {
    auto moved = payment();
    moved.state = "cart:start";
    moved.next_state = "cart:full";
    EXPECT_THAT(moved, AllOf(State("cart:start"), NextState(EndsWith(":full"))));
    EXPECT_EQ(description(State("start")), "has state \"start\"");
    EXPECT_EQ(why_not(State("created"), moved), "which has state \"cart:start\", expected \"created\"");
    EXPECT_EQ(why_not(NextState("created"), payment()), "which has no next state");
}

TEST(Matchers, ComposeWithGoogleMocksOwn) {
    const std::vector<RecordedRequest> requests{payment()};
    EXPECT_THAT(requests, Contains(AllOf(Method("POST"), Path("/v1/payments"), Header("Content-Type", HasSubstr("json")),
                                         JsonField("/amount", 1200))));
    EXPECT_THAT(requests, ElementsAre(Not(Method("GET"))));
    EXPECT_EQ(description(Not(Method("GET"))), "does not have method \"GET\"");
    EXPECT_FALSE(Matches(Not(Method("POST")))(payment()));
    const Matcher<const std::vector<RecordedRequest>&> no_post = Not(Contains(Method("POST")));
    EXPECT_FALSE(no_post.Matches(requests));
}

TEST(Matchers, ARequestPrintsAsItsHttpMessage) {
    RecordedRequest answered = payment();
    answered.answered = true;
    answered.duration = std::chrono::microseconds(84);
    EXPECT_EQ(PrintToString(answered),
              "\nPOST /v1/payments?mode=test HTTP/1.1\nHost: shop\nContent-Type: application/json\n\n"
              "{\"amount\": 1200, \"currency\": \"EUR\", \"items\": [{\"sku\": \"A1\"}], \"gift\": false}\n"
              "-- #3 on api, route create-payment, answered 201 in 84 us");
}

TEST(Matchers, ARequestStillBeingAnsweredSaysSo) {
    // What a MockRoute's Handle sees, and prints for an unexpected call.
    RecordedRequest in_flight = payment();
    in_flight.status = 0;
    EXPECT_THAT(PrintToString(in_flight), EndsWith("\n-- #3 on api, route create-payment, not answered yet"));
    RecordedRequest faulted = payment();
    faulted.answered = true;
    faulted.status = 0;
    faulted.duration = std::chrono::microseconds(12);
    EXPECT_THAT(PrintToString(faulted), EndsWith("\n-- #3 on api, route create-payment, no response sent (after 12 us)"));
}

TEST(Matchers, AListOfRequestsPrintsAsCountThenMessages) {
    RecordedRequest first = payment();
    first.answered = true;
    RecordedRequest second;
    second.sequence = 4;
    second.server = "api";
    second.method = "GET";
    second.target = "/health";
    second.version = "HTTP/1.1";
    second.headers = {{"Host", "shop"}};
    second.answered = true;
    second.status = 404;
    second.explanation = "no route matches GET /health";
    EXPECT_EQ(PrintToString(std::vector<RecordedRequest>{second}),
              "\n1 request received:\n\n"
              "GET /health HTTP/1.1\nHost: shop\n-- #4 on api, route (none), answered 404 in 0 us\n"
              "-- no route matches GET /health");
    EXPECT_THAT(PrintToString(std::vector<RecordedRequest>{first, second}),
                AllOf(StartsWith("\n2 requests received:\n\nPOST /v1/payments?mode=test HTTP/1.1\n"),
                      HasSubstr("answered 201 in 0 us\n\nGET /health HTTP/1.1\n"), EndsWith("no route matches GET /health")));
    EXPECT_EQ(PrintToString(std::vector<RecordedRequest>{}), "\nno request was received");
}

}  // namespace
