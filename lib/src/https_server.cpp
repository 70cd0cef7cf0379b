#include <mockserve/https_server.hpp>

#include "tls_context.hpp"

#include <stdexcept>
#include <thread>

namespace mockserve::http {

namespace {

// Made before the server binds, so that options that cannot serve leave no
// port taken.
std::shared_ptr<const detail::TlsContext> tls_context(const TlsOptions& options) {
    return std::make_shared<const detail::TlsContext>(options);
}

}  // namespace

std::string read_password_file(const std::string& file) {
    const auto password = detail::read_tls_file(file, "password file");
    constexpr const char* kSpace = " \t\r\n\f\v";
    const auto first = password.find_first_not_of(kSpace);
    if (first == std::string::npos) return {};
    return password.substr(first, password.find_last_not_of(kSpace) - first + 1);
}

std::string TlsOptions::check() const {
    try {
        detail::TlsContext context(*this);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

HTTPSServer::HTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls, Limits limits)
    : HTTPSServer(std::move(server_address), std::move(handler), std::move(tls), limits, 1) {}

HTTPSServer::HTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls, Limits limits,
                         unsigned default_threads)
    : HTTPServer(std::move(server_address), std::move(handler), limits, default_threads, tls_context(tls)) {}

ThreadingHTTPSServer::ThreadingHTTPSServer(Address server_address, HandlerFactory handler, TlsOptions tls,
                                           Limits limits)
    : HTTPSServer(std::move(server_address), std::move(handler), std::move(tls), limits,
                  std::max(1u, std::thread::hardware_concurrency())) {}

}  // namespace mockserve::http
