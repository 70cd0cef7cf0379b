#pragma once
// run_handler_code: how the server runs handler code, over HTTP/1.1
// (HandlerBridge) and HTTP/2 (Http2Stream) alike. The calling thread counts
// as running a handler meanwhile (the pool adds threads while handlers
// block), and no exception gets past it:
//   - ConnectionError (the client went away, or stopped reading): `lost`;
//   - any other exception: `failed`, with its text;
// each caller then applies its protocol's ending (a 500, a close, a reset).

#include "io_pool.hpp"

#include <mockserve/connection_error.hpp>

#include <exception>

namespace mockserve::http::detail {

// True when `code` returned.
template <class Code, class Lost, class Failed>
bool run_handler_code(IoPool& pool, Code&& code, Lost&& lost, Failed&& failed) {
    IoPool::HandlerScope scope(pool);
    try {
        code();
        return true;
    } catch (const ConnectionError& e) {
        lost(e.what());
    } catch (const std::exception& e) {
        failed(e.what());
    } catch (...) {
        failed("an exception that is not a std::exception");
    }
    return false;
}

}  // namespace mockserve::http::detail
