#pragma once
// Limits: every bound and timeout the HTTP server enforces, in one value.
//
// Python's http.server has none of these (no timeouts, unbounded bodies);
// a test server that can be hung by one client is a flaky test waiting to
// happen, so each has a default that a normal client never meets.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace mockserve::http {

struct Limits {
    // --- The request head ---------------------------------------------------
    // Longest request line (method, target, version). Longer: 414.
    std::size_t max_request_line = 8 * 1024;
    // Largest request head (request line and all header fields). Larger: 431.
    std::size_t max_header_bytes = 64 * 1024;
    // Most header fields in one request. More: 431.
    std::size_t max_header_count = 100;

    // --- The request body ---------------------------------------------------
    // Largest body, declared by Content-Length or decoded from chunks. Larger: 413.
    std::uint64_t max_body_size = std::uint64_t{1} << 30;
    // Bodies up to this size are read before the handler runs, without holding
    // a thread; the rest of a larger body is read when the handler reads rfile.
    std::size_t body_buffer_size = 1024 * 1024;
    // Longest chunk-size line of a chunked body, extensions included. Longer: 400.
    std::size_t max_chunk_line = 4 * 1024;
    // Largest trailer section of a chunked body. Larger: 400.
    std::size_t max_trailer_bytes = 16 * 1024;

    // --- The response -------------------------------------------------------
    // wfile keeps this much before it writes to the socket. A response that
    // ends within it gets an exact Content-Length even if the handler sent none.
    std::size_t response_buffer_size = 64 * 1024;

    // --- Time ---------------------------------------------------------------
    // From the first byte of a request to the end of its head (and of a body
    // read ahead of the handler). A client trickling bytes is cut off: 408.
    std::chrono::milliseconds request_timeout{10'000};
    // How long an idle keep-alive connection waits for its next request.
    std::chrono::milliseconds keep_alive_timeout{30'000};
    // Longest time one read of the body or one write of the response may make
    // no progress. Then the connection is closed.
    std::chrono::milliseconds io_timeout{30'000};
    // Longest run of a CGI script; then its process group is killed (504 if
    // nothing was sent yet).
    std::chrono::milliseconds cgi_timeout{30'000};
    // shutdown() lets busy connections finish for this long, then closes them.
    std::chrono::milliseconds shutdown_timeout{10'000};

    // --- Connections and threads --------------------------------------------
    // Requests served on one connection before it is closed (0: no cap).
    std::size_t max_requests_per_connection = 10'000;
    // Threads that run the I/O loop (0: one per core).
    unsigned threads = 0;
    // A handler that has run this long counts as blocked; while handlers are
    // blocked, the server adds threads so that other connections go on.
    std::chrono::milliseconds blocked_handler_after{20};
    // Most threads the server runs, the added ones included.
    unsigned max_threads = 256;
    // HTTP/2: streams one connection may have open at once (its
    // SETTINGS_MAX_CONCURRENT_STREAMS). A stream the client reset counts
    // until its handler has returned. More: RST_STREAM (REFUSED_STREAM).
    std::size_t max_concurrent_streams = 100;
    // Longest pause of the accept loop when the process is out of descriptors.
    std::chrono::milliseconds max_accept_backoff{500};

    bool operator==(const Limits&) const = default;
};

}  // namespace mockserve::http
