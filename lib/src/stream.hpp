#pragma once
// Stream: the byte stream a connection speaks HTTP over, and the one place
// that knows what carries it. The connection never calls a socket function:
// it reads and writes here, asynchronously while it waits for a client, and
// with blocking, deadline-bounded calls while handler code streams a large
// body on its own thread.
//
// Plain TCP is TcpStream (tcp_stream.hpp). A TLS stream is one more
// implementation: its handshake happens before the first read completes,
// and it offers its own fast paths (no sendfile: file bytes are read and
// written in record-sized pieces) without the connection knowing which
// stream it has.

#include <mockserve/tls_facts.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

namespace mockserve::http::detail {

// What runs when a stream's asynchronous operation completes: a member
// function of its owner (the session), which the operation keeps alive. A
// plain handler type rather than a type-erased one, so that Asio allocates
// the operation from its per-thread recycling allocator (a type-erased
// handler costs two heap allocations per read).
struct StreamCompletion {
    std::shared_ptr<void> owner;
    void (*step)(void* owner, const boost::system::error_code& ec, std::size_t bytes) = nullptr;

    void operator()(const boost::system::error_code& ec, std::size_t bytes) const { step(owner.get(), ec, bytes); }

    // StreamCompletion::to<&Session::on_read_head>(shared_from_this())
    template <auto Member, class Owner>
    static StreamCompletion to(std::shared_ptr<Owner> owner) {
        return {std::move(owner), [](void* self, const boost::system::error_code& ec, std::size_t bytes) {
                    (static_cast<Owner*>(self)->*Member)(ec, bytes);
                }};
    }
};

class Stream {
public:
    using Completion = StreamCompletion;

    virtual ~Stream() = default;

    // The executor the stream's completions run on (the connection's strand).
    virtual boost::asio::any_io_executor get_executor() = 0;
    virtual boost::asio::ip::tcp::endpoint remote_endpoint(boost::system::error_code& ec) const = 0;

    // --- Asynchronous, on the stream's executor ---------------------------------
    // Some bytes into `buffer`.
    virtual void async_read_some(boost::asio::mutable_buffer buffer, Completion done) = 0;
    // All of `buffer` (a body of known length).
    virtual void async_read(boost::asio::mutable_buffer buffer, Completion done) = 0;
    // All of `buffer`.
    virtual void async_write(boost::asio::const_buffer buffer, Completion done) = 0;
    // Makes pending asynchronous operations complete with operation_aborted.
    virtual void cancel() = 0;

    // --- Without waiting ----------------------------------------------------------
    // The fast path of a small response: writes what can leave at once and
    // returns how much did (possibly 0); an error only when the peer is gone.
    virtual std::size_t write_now(std::string_view data, boost::system::error_code& ec) = 0;
    // Whether the client has sent bytes nobody has read yet.
    virtual bool has_unread_input() const = 0;

    // --- Blocking, for handler code on its own thread -------------------------------
    // Each call waits at most `timeout` without progress; a timeout is
    // std::errc::timed_out.
    virtual std::error_code write_all(std::string_view data, std::chrono::milliseconds timeout) = 0;
    // `before` (a response head, a chunk's size line), then `count` bytes
    // of the open file `file` from `offset`, `before` in the same packets
    // as the file's first bytes: a client that reads the head wakes once,
    // not once for the head and again for the body.
    virtual std::error_code write_file(std::string_view before, int file, std::uint64_t offset, std::uint64_t count,
                                       std::chrono::milliseconds timeout) = 0;
    // At least one byte, at most `size`; 0 with no error is the end of the
    // stream. A zero `timeout` does not wait: timed_out when nothing is there.
    virtual std::size_t read_some(char* into, std::size_t size, std::chrono::milliseconds timeout,
                                  std::error_code& ec) = 0;
    // What a handler polls beside its own descriptors to notice a client
    // that leaves (CGI): readable or hung up when the client is.
    virtual int wait_handle() const = 0;

    // --- Ending -------------------------------------------------------------------
    // No more bytes will be sent (the client sees the end of the response).
    virtual void shutdown_send() = 0;
    // Closes: gracefully, or with `reset` abruptly (a TCP reset).
    virtual void close(bool reset) = 0;
    // From any thread: makes blocking calls in progress, and later ones, fail
    // at once, so that a handler blocked on this client returns.
    virtual void interrupt() = 0;

    // --- What the transport agreed ---------------------------------------------
    // A TLS stream's facts once its handshake is done; null over plain TCP.
    virtual std::shared_ptr<const TlsFacts> tls() const { return nullptr; }
};

}  // namespace mockserve::http::detail
