#pragma once
// The private keys a CertificateAuthority issued lately, by their PEM text.
//
// Why: OpenSSL 3 takes about a millisecond to parse a PEM private key (its
// decoder framework looks every decoder up anew), and a server started with
// credentials made a moment before in the same process (the scenario
// runner's, a test's) would parse what is already in memory. A server
// loading key_pem asks here first; any other key is parsed as usual. A few
// recent keys are kept, no more.

#include "openssl_handles.hpp"

#include <string_view>

namespace mockserve::http::detail {

void remember_issued_key(std::string_view pem, EVP_PKEY* key);
// The key whose unencrypted PEM is `pem`, if it was issued lately; null otherwise.
KeyPtr find_issued_key(std::string_view pem);

}  // namespace mockserve::http::detail
