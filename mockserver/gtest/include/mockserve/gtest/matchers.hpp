#pragma once
// GoogleMock matchers on recorded requests. Each describes itself and says
// which part of a request differed; they compose with GoogleMock's own:
//
//   EXPECT_THAT(server.requests(), Contains(AllOf(Method("POST"), Path("/v1/payments"),
//                                                 Header("Content-Type", HasSubstr("json")),
//                                                 JsonField("/amount", 1200))));
//
// Values or matchers are accepted wherever a value is compared: Path("/a")
// or Path(MatchesRegex("/a/[0-9]+")), Header("X", "1") or Header("X", _).

#include <mockserve/scenario/recorded_request.hpp>

#include <gmock/gmock.h>

#include <optional>
#include <ostream>
#include <string>

namespace mockserve::gtest {

using scenario::RecordedRequest;

namespace detail {

// A part of a request (its method, a header...), compared by a matcher. Given
// a plain value, it reads "has method \"POST\"" and explains "which has
// method \"GET\", expected \"POST\"".
template <class T>
class PartMatcher : public ::testing::MatcherInterface<const RecordedRequest&> {
public:
    using Getter = std::optional<T> (*)(const RecordedRequest&, const std::string& key);
    // How the part's value prints: quoted as a C++ string, or as it is (JSON
    // text, where quotes belong to strings only: 1200 against "EUR").
    enum class Printing { quoted, verbatim };
    PartMatcher(std::string what, std::string key, Getter get, ::testing::Matcher<const T&> inner,
                std::optional<std::string> literal, Printing printing = Printing::quoted)
        : what_(std::move(what)), key_(std::move(key)), get_(get), inner_(std::move(inner)), literal_(std::move(literal)),
          printing_(printing) {}

    bool MatchAndExplain(const RecordedRequest& request, ::testing::MatchResultListener* listener) const override {
        const auto value = get_(request, key_);
        if (!value) {
            *listener << "which has no " << what_;
            return false;
        }
        ::testing::StringMatchResultListener inner;
        const bool matched = inner_.MatchAndExplain(*value, &inner);
        if (!matched) {
            *listener << "which has " << what_ << " " << printed(*value) << ", expected ";
            if (literal_) {
                *listener << *literal_;
            } else {
                inner_.DescribeTo(listener->stream());
                if (!inner.str().empty()) *listener << " (" << inner.str() << ")";
            }
        }
        return matched;
    }
    void DescribeTo(std::ostream* os) const override {
        *os << "has " << what_ << " ";
        if (literal_) {
            *os << *literal_;
        } else {
            *os << "that ";
            inner_.DescribeTo(os);
        }
    }
    void DescribeNegationTo(std::ostream* os) const override {
        *os << "does not have " << what_ << " ";
        if (literal_) {
            *os << *literal_;
        } else {
            *os << "that ";
            inner_.DescribeTo(os);
        }
    }

private:
    std::string printed(const T& value) const {
        if constexpr (std::is_convertible_v<const T&, std::string>)
            if (printing_ == Printing::verbatim) return value;
        return ::testing::PrintToString(value);
    }

    std::string what_;
    std::string key_;
    Getter get_;
    ::testing::Matcher<const T&> inner_;
    std::optional<std::string> literal_;
    Printing printing_;
};

template <class T, class M>
::testing::Matcher<const RecordedRequest&> part(std::string what, std::string key,
                                                 typename PartMatcher<T>::Getter get, const M& matcher) {
    std::optional<std::string> literal;
    if constexpr (std::is_convertible_v<const M&, T>) literal = ::testing::PrintToString(T(matcher));
    return ::testing::MakeMatcher(new PartMatcher<T>(std::move(what), std::move(key), get,
                                                     ::testing::MatcherCast<const T&>(matcher), std::move(literal)));
}

// A part whose value is JSON text, printed as it is: `has JSON field /amount
// 1200`, `... /currency "EUR"`. A plain expected value is JSON text too.
template <class M>
::testing::Matcher<const RecordedRequest&> json_part(std::string what, std::string key,
                                                      typename PartMatcher<std::string>::Getter get, const M& matcher) {
    std::optional<std::string> literal;
    if constexpr (std::is_convertible_v<const M&, std::string>) literal = std::string(matcher);
    return ::testing::MakeMatcher(new PartMatcher<std::string>(std::move(what), std::move(key), get,
                                                               ::testing::MatcherCast<const std::string&>(matcher),
                                                               std::move(literal), PartMatcher<std::string>::Printing::verbatim));
}

std::optional<std::string> method_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> version_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> path_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> header_of(const RecordedRequest& r, const std::string& name);
std::optional<std::string> query_of(const RecordedRequest& r, const std::string& name);
std::optional<std::string> body_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> server_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> route_of(const RecordedRequest& r, const std::string&);
std::optional<int> status_of(const RecordedRequest& r, const std::string&);
// Over TLS only: the SNI the client sent, the protocol version, the client
// certificate's subject (each nothing when absent).
std::optional<std::string> sni_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> tls_version_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> client_subject_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> state_of(const RecordedRequest& r, const std::string&);
std::optional<std::string> next_state_of(const RecordedRequest& r, const std::string&);

// OverTls(): the request came over TLS.
class OverTlsMatcher : public ::testing::MatcherInterface<const RecordedRequest&> {
public:
    bool MatchAndExplain(const RecordedRequest& request, ::testing::MatchResultListener* listener) const override;
    void DescribeTo(std::ostream* os) const override { *os << "came over TLS"; }
    void DescribeNegationTo(std::ostream* os) const override { *os << "came over plain HTTP"; }
};
// The body's canonical JSON (keys sorted, no white space), or nothing.
std::optional<std::string> json_of(const RecordedRequest& r, const std::string&);
// The JSON value at `pointer` (RFC 6901) in the body, as canonical JSON text.
std::optional<std::string> json_field_of(const RecordedRequest& r, const std::string& pointer);
// `value` as canonical JSON text: 1200 as "1200", "EUR" as "\"EUR\"".
std::string json_text(long long value);
std::string json_text(double value);
std::string json_text(bool value);
std::string json_text(const std::string& value);
std::optional<std::string> canonical(const std::string& json);

}  // namespace detail

template <class M>
::testing::Matcher<const RecordedRequest&> Method(const M& matcher) {
    return detail::part<std::string>("method", "", detail::method_of, matcher);
}
// The protocol version of the request: "HTTP/1.1", "HTTP/2.0".
template <class M>
::testing::Matcher<const RecordedRequest&> HttpVersion(const M& matcher) {
    return detail::part<std::string>("HTTP version", "", detail::version_of, matcher);
}
// The decoded path, without the query.
template <class M>
::testing::Matcher<const RecordedRequest&> Path(const M& matcher) {
    return detail::part<std::string>("path", "", detail::path_of, matcher);
}
inline ::testing::Matcher<const RecordedRequest&> PathMatches(const std::string& regex) {
    return Path(::testing::MatchesRegex(regex));
}
// A query parameter (decoded); its first value.
template <class M>
::testing::Matcher<const RecordedRequest&> Query(const std::string& name, const M& matcher) {
    return detail::part<std::string>("query parameter " + name, name, detail::query_of, matcher);
}
// A header, its name compared without regard to case; its first value.
template <class M>
::testing::Matcher<const RecordedRequest&> Header(const std::string& name, const M& matcher) {
    return detail::part<std::string>("header " + name, name, detail::header_of, matcher);
}
inline ::testing::Matcher<const RecordedRequest&> Header(const std::string& name) { return Header(name, ::testing::_); }
template <class M>
::testing::Matcher<const RecordedRequest&> Body(const M& matcher) {
    return detail::part<std::string>("body", "", detail::body_of, matcher);
}
// The body is JSON equal to `json`, key order and white space ignored.
inline ::testing::Matcher<const RecordedRequest&> JsonBody(const std::string& json) {
    const auto expected = detail::canonical(json);
    if (!expected) throw std::invalid_argument("JsonBody: not JSON: " + json);
    return detail::json_part("JSON body", "", detail::json_of, *expected);
}
// The value at a JSON pointer ("/amount", "/items/0/id") in the body equals
// `expected` (numbers by value, strings, booleans), or, given a matcher,
// its JSON text ("1200", "\"EUR\"") matches it.
template <class T>
::testing::Matcher<const RecordedRequest&> JsonField(const std::string& pointer, const T& expected) {
    const std::string what = "JSON field " + pointer;
    if constexpr (std::is_same_v<T, bool>) {
        return detail::json_part(what, pointer, detail::json_field_of, detail::json_text(expected));
    } else if constexpr (std::is_integral_v<T>) {
        return detail::json_part(what, pointer, detail::json_field_of,
                                         detail::json_text(static_cast<long long>(expected)));
    } else if constexpr (std::is_floating_point_v<T>) {
        return detail::json_part(what, pointer, detail::json_field_of, detail::json_text(static_cast<double>(expected)));
    } else if constexpr (std::is_convertible_v<const T&, std::string>) {
        return detail::json_part(what, pointer, detail::json_field_of, detail::json_text(std::string(expected)));
    } else {
        return detail::json_part(what, pointer, detail::json_field_of, expected);
    }
}
// The scenario server that received it.
template <class M>
::testing::Matcher<const RecordedRequest&> OnServer(const M& matcher) {
    return detail::part<std::string>("server", "", detail::server_of, matcher);
}
// The route that answered it ("which has no route" when none matched).
template <class M>
::testing::Matcher<const RecordedRequest&> Route(const M& matcher) {
    return detail::part<std::string>("route", "", detail::route_of, matcher);
}
// The status of the response it got (0 when none was sent).
template <class M>
::testing::Matcher<const RecordedRequest&> Status(const M& matcher) {
    return detail::part<int>("status", "", detail::status_of, matcher);
}

// HTTPS: the request came over TLS (over plain HTTP, it explains "which came
// over plain HTTP").
inline ::testing::Matcher<const RecordedRequest&> OverTls() { return ::testing::MakeMatcher(new detail::OverTlsMatcher); }
// The host name the client asked for in TLS's SNI ("which has no TLS SNI"
// over plain HTTP, or when it sent none).
template <class M>
::testing::Matcher<const RecordedRequest&> Sni(const M& matcher) {
    return detail::part<std::string>("TLS SNI", "", detail::sni_of, matcher);
}
// "TLSv1.3", "TLSv1.2".
template <class M>
::testing::Matcher<const RecordedRequest&> TlsVersion(const M& matcher) {
    return detail::part<std::string>("TLS version", "", detail::tls_version_of, matcher);
}
// Mutual TLS: the client certificate's subject, RFC 2253 ("CN=client,O=mockserve").
template <class M>
::testing::Matcher<const RecordedRequest&> ClientCertificate(const M& matcher) {
    return detail::part<std::string>("client certificate", "", detail::client_subject_of, matcher);
}

// With state machines: the state the request found its route's machine in
// ("start", "cart:full"), and the state it left it in.
template <class M>
::testing::Matcher<const RecordedRequest&> State(const M& matcher) {
    return detail::part<std::string>("state", "", detail::state_of, matcher);
}
template <class M>
::testing::Matcher<const RecordedRequest&> NextState(const M& matcher) {
    return detail::part<std::string>("next state", "", detail::next_state_of, matcher);
}

// Whether `requests` hold a request matching each of `in_order`, in that
// order (each after the one found for the matcher before it; others may
// come between):
//
//   EXPECT_TRUE(ReceivedInOrder(server.requests(), {Path("/oauth/token"), Path("/v1/accounts")}));
//
// A failure says which step was not found after which request, and lists
// the requests.
::testing::AssertionResult ReceivedInOrder(const std::vector<RecordedRequest>& requests,
                                           const std::vector<::testing::Matcher<const RecordedRequest&>>& in_order);

}  // namespace mockserve::gtest

namespace mockserve::scenario {
// GoogleTest prints a request as the HTTP message it was.
inline void PrintTo(const RecordedRequest& request, std::ostream* os) { *os << "\n" << request; }
// A list of them (what requests() returns) as a count, then each message
// after a blank line, instead of GoogleTest's "{ a, b }" on the messages.
inline void PrintTo(const std::vector<RecordedRequest>& requests, std::ostream* os) { *os << "\n" << listing(requests); }
}  // namespace mockserve::scenario
