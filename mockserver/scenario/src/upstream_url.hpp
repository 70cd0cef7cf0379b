#pragma once
// UpstreamUrl: a proxy route's `proxy = URL`, taken apart. Rules:
//   - the scheme is http or https (case-insensitive); nothing else forwards;
//   - the host is a name, an IPv4 address or an IPv6 address in brackets;
//     no user information ("user:pass@": credentials go in proxy.header);
//   - the port is 1..65535, by default 80 or 443;
//   - the path, if any, is the base every forwarded target is put under
//     (its trailing '/' dropped); no query and no fragment.
// Pure: no name is looked up here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mockserve::scenario::detail {

// A request target in origin form: an absolute-form target
// ("http://host/a?b", RFC 9112 section 3.2.2) loses its scheme and
// authority ("/a?b"); others are returned as they are.
std::string origin_form(std::string_view target);

struct UpstreamUrl {
    bool tls = false;
    std::string host;       // without brackets: "::1"
    std::uint16_t port = 0;
    std::string base_path;  // "" or "/api"

    // Nothing, and `error` says why, for a URL the rules refuse.
    static std::optional<UpstreamUrl> parse(std::string_view text, std::string& error);
    // The Host field for it: the port only when it is not the scheme's own.
    std::string host_field() const;
    // "https://host:port", for messages and the journal.
    std::string origin() const;
    // The target sent upstream for a client's `target` (in origin form):
    // `strip` taken off the front of its path when it is there, the base
    // put in front. "*" (OPTIONS *) stays "*" when there is no base.
    std::string forwarded_target(std::string_view target, std::string_view strip) const;
};

}  // namespace mockserve::scenario::detail
