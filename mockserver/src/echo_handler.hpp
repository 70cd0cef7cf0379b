#pragma once
// EchoHandler: answers any request with a plain-text account of what it
// received (request line, headers, body size), like httpbin's /anything.
// It is what `mockserve` serves until the scenario runner and the
// http.server drop-in mode take over.

#include <mockserve/base_http_request_handler.hpp>

namespace mockserve::cli {

class EchoHandler : public http::BaseHTTPRequestHandler {
public:
    explicit EchoHandler(std::string protocol);
    void handle_one_request() override;
};

}  // namespace mockserve::cli
