#pragma once
// Address: a (host, port) pair, as Python's server_address and client_address.

#include <cstdint>
#include <ostream>
#include <string>

namespace mockserve::http {

struct Address {
    std::string host;
    std::uint16_t port = 0;

    friend bool operator==(const Address&, const Address&) = default;
    friend std::ostream& operator<<(std::ostream& os, const Address& a) {
        return os << a.host << ':' << a.port;
    }
};

}  // namespace mockserve::http
