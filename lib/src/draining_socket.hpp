#pragma once
// DrainingSocket: a TCP socket whose asynchronous receive tells Asio's
// reactor when it has emptied the kernel's receive queue, so that the next
// receive waits for epoll instead of first trying a recv(2) that can only
// fail with EAGAIN.
//
// Why: on a keep-alive connection the client sends its next request only
// after it has read the response, so the read a server starts right after
// answering finds nothing. Asio (1.81) tries every receive at once
// ("speculatively") unless the last one read the end of the stream; that is
// one system call per request that can only fail, about 1.3 µs here (a
// tenth of a canned request's CPU; nginx, which remembers that a read came
// back short, makes no such call). A receive that returns fewer bytes than
// it had room for has emptied the queue, so this one reports it to the
// reactor as exhausted: Asio then skips the next speculative attempt until
// epoll reports new bytes (edge-triggered, so no byte that arrives after the
// short read goes unnoticed, and bytes that arrived in between set the
// reactor's flag back before the next receive starts).
//
// This reaches into Asio's reactor (boost/asio/detail), whose interface
// changed in Boost 1.84; with any other reactor or version the socket's own
// async_read_some is used, which is correct and one call slower.

#include "stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/version.hpp>

#if defined(BOOST_ASIO_HAS_EPOLL) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT) && BOOST_VERSION >= 108100 && \
    BOOST_VERSION < 108400
#define MOCKSERVE_DRAINING_RECEIVE 1
#include <boost/asio/detail/reactor.hpp>
#else
#define MOCKSERVE_DRAINING_RECEIVE 0
#endif

namespace mockserve::http::detail {

class DrainingSocket : public boost::asio::ip::tcp::socket {
public:
    explicit DrainingSocket(boost::asio::ip::tcp::socket socket);

    // Some bytes into `buffer`, as async_read_some, the queue's emptying
    // told to the reactor.
    void async_receive_draining(boost::asio::mutable_buffer buffer, StreamCompletion done);

#if MOCKSERVE_DRAINING_RECEIVE
private:
    boost::asio::detail::reactor& reactor_;  // the socket's io_context's, looked up once
#endif
};

}  // namespace mockserve::http::detail
