#pragma once
// ConnectionError: the client went away, stopped reading, or sent a body
// that cannot be decoded, while handler code was reading the body (rfile)
// or writing the response (wfile). The server closes the connection; a
// handler may let it pass.

#include <stdexcept>

namespace mockserve::http {

class ConnectionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace mockserve::http
