#include "scenario_validation.hpp"

#include <mockserve/certificate_authority.hpp>
#include <mockserve/https_server.hpp>

namespace mockserve::scenario::detail {

namespace {

// A certificate only to load a client authority file the way a server will.
const http::Credentials& throwaway_leaf() {
    static const auto leaf = http::CertificateAuthority::generate().issue_server_certificate({"localhost"});
    return leaf;
}

void check_server_tls(const ServerSpec& server, const Locator& where, std::vector<std::string>& errors) {
    const auto& tls = server.tls;
    const auto at = [&](const std::string& key) { return where.server_key(server, key); };
    if (!tls.enabled) {
        for (const auto& [key, value] : {std::pair<std::string, std::string>{"tls.cert", tls.cert},
                                         {"tls.key", tls.key},
                                         {"tls.password_file", tls.password_file},
                                         {"tls.client_ca", tls.client_ca}})
            if (!value.empty())
                errors.push_back(at(key) + ": " + key + " is set but tls is off: add tls = on to [server " +
                                 server.name + "]");
        return;
    }
    if (tls.cert.empty()) {
        const auto needs_cert = [&](const std::string& key, const std::string& value) {
            if (!value.empty())
                errors.push_back(at(key) + ": " + key + " goes with tls.cert (a generated certificate needs neither)");
        };
        needs_cert("tls.key", tls.key);
        needs_cert("tls.password_file", tls.password_file);
    } else {
        std::string error;
        const auto password = load_tls_password(tls.password_file, error);
        if (!password) {
            errors.push_back(at("tls.password_file") + ": " + error);
        } else if (const auto problem = server_tls_options(tls, *password).check(); !problem.empty()) {
            // Said at the key that is wrong.
            const bool about_password = problem.find("password") != std::string::npos;
            const bool about_key = problem.find("private key") != std::string::npos;
            const auto* key = about_password && !tls.password_file.empty() ? "tls.password_file"
                            : about_key && !tls.key.empty()               ? "tls.key"
                                                                          : "tls.cert";
            errors.push_back(at(key) + ": " + problem);
        }
    }
    if (!tls.client_ca.empty() && tls.client_ca != "generate") {
        http::TlsOptions options;
        options.cert_pem = throwaway_leaf().certificate_pem;
        options.key_pem = throwaway_leaf().private_key_pem;
        options.client_ca_file = tls.client_ca;
        if (const auto problem = options.check(); !problem.empty())
            errors.push_back(at("tls.client_ca") + ": " + problem + " (give a PEM file of authorities, or generate)");
    }
}

}  // namespace

std::optional<std::string> load_tls_password(const std::string& file, std::string& error) {
    if (file.empty()) return std::string();
    try {
        return http::read_password_file(file);
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

http::TlsOptions server_tls_options(const TlsSpec& tls, const std::string& password) {
    http::TlsOptions options;
    options.certfile = tls.cert;
    options.keyfile = tls.key;
    options.password = password;
    return options;
}

std::optional<http::CertificateAuthority> load_authority(const AuthoritySpec& authority, std::string& error) {
    try {
        return http::CertificateAuthority::from_files(authority.cert, authority.key);
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
}

std::vector<std::string> validate_tls(const Scenario& scenario, const Locator& where) {
    std::vector<std::string> errors;
    for (const auto& server : scenario.servers) check_server_tls(server, where, errors);
    const auto& authority = scenario.authority;
    if (authority.cert.empty() != authority.key.empty()) {
        const auto* missing = authority.cert.empty() ? "tls.ca_cert" : "tls.ca_key";
        const auto* given = authority.cert.empty() ? "tls.ca_key" : "tls.ca_cert";
        errors.push_back(where.authority_key(given) + ": " + given + " needs " + missing + " too");
    } else if (!authority.cert.empty()) {
        std::string error;
        if (!load_authority(authority, error)) {
            const bool about_key = error.find("key") != std::string::npos;
            errors.push_back(where.authority_key(about_key ? "tls.ca_key" : "tls.ca_cert") + ": " + error);
        }
    }
    return errors;
}

}  // namespace mockserve::scenario::detail
