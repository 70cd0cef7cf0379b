#include "echo_handler.hpp"

#include <mockserve/version.hpp>

namespace mockserve::cli {

EchoHandler::EchoHandler(std::string protocol) {
    protocol_version = std::move(protocol);
    server_version = std::string("mockserve/") + mockserve::version;
}

void EchoHandler::handle_one_request() {
    const auto body = rfile.read();
    std::string text = requestline + "\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\n";
    text += "\n" + std::to_string(body.size()) + " bytes of body\n";
    send_response(200);
    send_header("Content-Type", "text/plain; charset=utf-8");
    send_header("Content-Length", std::to_string(text.size()));
    end_headers();
    wfile.write(text);
}

}  // namespace mockserve::cli
