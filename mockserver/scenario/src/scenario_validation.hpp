#pragma once
// The rules a whole scenario must keep, checked once for the loader and the
// builder alike: each server's route names are unique, every expectation
// names a declared server, expectations need the journal, there is a
// server to start, and every TLS certificate, key, password and authority
// given can serve (loaded as the server will load them). The syntax of single keys (a status, a request line, a
// count, a header name, a regular expression, JSON) is checked where the
// key is read, by the shared helpers in scenario_syntax.hpp.
//
// Messages say where the part was declared: "file.ini:12: ..." for a file,
// "route api create: ..." for a scenario built in code.

#include <mockserve/certificate_authority.hpp>
#include <mockserve/https_server.hpp>
#include <mockserve/scenario/scenario.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mockserve::scenario::detail {

struct Locator {
    std::function<std::string(const ServerSpec&, const Route&)> route;
    // Where a key of a server's section ("tls.cert") was given; the
    // section's place when it was not.
    std::function<std::string(const ServerSpec&, const std::string& key)> server_key;
    std::function<std::string(const Expectation&)> expectation;
    std::string journal;   // where the journal was switched off
    std::string scenario;  // where scenario-wide mistakes are reported
    std::function<std::string(const std::string& key)> authority_key;  // tls.ca_cert, tls.ca_key
    // Where a key of a route's section ("response.event") was first given;
    // the route's place when it was not.
    std::function<std::string(const ServerSpec&, const Route&, const std::string& key)> route_key;
};

std::vector<std::string> validate(const Scenario& scenario, const Locator& where);
// The part of validate() that concerns routes (unique names, behaviours):
// what a route added at run time is checked against.
std::vector<std::string> validate_routes(const Scenario& scenario, const Locator& where);

// The behaviour part of validate() (behaviour_validation.cpp): the keys of
// times, states, templates, streams and random faults that only make sense
// together, and each expectation's `after`.
std::vector<std::string> validate_behaviours(const Scenario& scenario, const Locator& where);
// The expectation `after` names, seen from `expectation`: NAME on its own
// server first, then the only one of that name; SERVER/NAME exactly.
// Nothing, with `error` set, when there is none or it is ambiguous.
const Expectation* find_after(const Scenario& scenario, const Expectation& expectation, std::string& error);

// The TLS part of validate() (tls_validation.cpp), and what the runner
// shares with it to load the files the same way.
std::vector<std::string> validate_tls(const Scenario& scenario, const Locator& where);
// The password in `file`: its text without white space at both ends, as
// Python's --tls-password-file reads it; "" for no file; nothing, with
// `error` set, when it cannot be read.
std::optional<std::string> load_tls_password(const std::string& file, std::string& error);
http::TlsOptions server_tls_options(const TlsSpec& tls, const std::string& password);
std::optional<http::CertificateAuthority> load_authority(const AuthoritySpec& authority, std::string& error);

}  // namespace mockserve::scenario::detail
