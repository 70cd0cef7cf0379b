#pragma once
// Exchange: one request and what became of it, as the server saw it. The
// server hands one to its observer (HTTPServer::set_exchange_observer) per
// request, once the response is complete or cut short, and before its last
// bytes leave: a client that has its answer can count on the observer having
// seen the exchange. This is how a journal is kept without the handler or
// the connection knowing of one.
//
// A request the server refused before any handler ran (a malformed head, a
// limit, a timeout) has `refusal` set and only what could be read of it; a
// request a handler served has the fields as parsed, and the value the
// handler attached with BaseHTTPRequestHandler::annotate_exchange().

#include <mockserve/address.hpp>
#include <mockserve/headers.hpp>
#include <mockserve/http_date.hpp>
#include <mockserve/tls_facts.hpp>

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace mockserve::http {

struct Exchange {
    // How the connection fared after this exchange.
    enum class End {
        complete,    // the response was sent whole
        closed,      // the handler ended the connection (abort_connection), or failed mid-response
        reset,       // the handler reset the connection (abort_connection(true))
        client_gone  // the client left, or stopped reading, before the response was out
    };

    Address client;
    SystemTime received{};                 // when the request's head was complete
    std::chrono::microseconds duration{};  // from then until the response was complete

    std::string request_line;  // as sent, without its line end
    // From the request line: empty when it could not be split.
    std::string method;
    std::string target;   // as sent ("//x?y" stays so)
    std::string version;  // "HTTP/1.1", "HTTP/2.0"; empty when the server refused the request line
    std::uint32_t stream_id = 0;  // the HTTP/2 stream; 0 over HTTP/1.x
    Headers headers;      // empty when the server refused the head
    std::shared_ptr<const TlsFacts> tls;  // over TLS; null over plain HTTP
    // Why the server answered with an error before any handler ran
    // ("Bad request version ('HTTP/1.2')"); nothing when a handler ran.
    std::optional<std::string> refusal;

    int status = 0;  // the final status sent; 0 when none was
    std::uint64_t bytes_sent = 0;
    End end = End::complete;

    // What the handler attached (annotate_exchange), for an observer that
    // knows the handler; empty otherwise.
    std::any annotation;
};

// Called on a server thread, once per exchange; exchanges of different
// connections may be observed at the same time. It must not throw.
using ExchangeObserver = std::function<void(Exchange&& exchange)>;

}  // namespace mockserve::http
