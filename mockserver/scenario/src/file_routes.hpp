#pragma once
// The static and cgi route kinds: the http.server handlers themselves,
// serving a route's folder below the route's prefix. "/assets/*" with
// static = site serves site/app.js at /assets/app.js; a cgi route's prefix
// is its only CGI folder.

#include <mockserve/cgi_http_request_handler.hpp>
#include <mockserve/http_server.hpp>
#include <mockserve/simple_http_request_handler.hpp>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mockserve::scenario::detail {

std::string scenario_server_software();

template <class Files>
class MountedTree final : public Files {
public:
    // `mount`: the route's path prefix ("" for none), without its trailing '/'.
    MountedTree(const std::string& folder, std::string mount) : Files(folder), mount_(std::move(mount)) {
        if constexpr (std::is_base_of_v<http::CGIHTTPRequestHandler, Files>)
            this->cgi_directories = {mount_.empty() ? std::string("/") : mount_};
    }

    std::string translate_path(std::string_view path) const override {
        if (!mount_.empty() && path.substr(0, mount_.size()) == mount_ &&
            (path.size() == mount_.size() || path[mount_.size()] == '/' || path[mount_.size()] == '?'))
            path.remove_prefix(mount_.size());
        return Files::translate_path(path);
    }
    std::string version_string() const override { return scenario_server_software(); }
    // Not even formatted when the server does not log, as ScenarioHandler's.
    using Files::log_request;
    void log_request(std::string_view code, std::string_view size) override {
        if (this->server && !this->server->logging()) return;
        Files::log_request(code, size);
    }

private:
    std::string mount_;
};

using StaticRoute = MountedTree<http::SimpleHTTPRequestHandler>;
using CgiRoute = MountedTree<http::CGIHTTPRequestHandler>;

}  // namespace mockserve::scenario::detail
