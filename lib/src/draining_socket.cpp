#include "draining_socket.hpp"

#if MOCKSERVE_DRAINING_RECEIVE
#include "session_strand.hpp"

#include <boost/asio/detail/fenced_block.hpp>
#include <boost/asio/detail/handler_alloc_helpers.hpp>
#include <boost/asio/detail/handler_work.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <cerrno>
#include <optional>
#include <sys/socket.h>
#endif

namespace mockserve::http::detail {

namespace net = boost::asio;

#if MOCKSERVE_DRAINING_RECEIVE
namespace {

using Executor = net::ip::tcp::socket::executor_type;

// The reactor's operation: a recv(2) into one buffer, done when bytes (or
// the end, or an error) came, "done and exhausted" when they were fewer
// than the room, or the end. Its completion is Asio's own receive's, step
// for step: the handler moved out and the memory returned before the call.
// On a connection's SessionStrand (every server connection), the handler is
// given to the strand itself: through the socket's type-erased executor,
// each completion was wrapped and allocated again (about 380 instructions
// a request), and the pending operation keeps the io_context at work as
// the reactor counts it.
class DrainingReceiveOp : public net::detail::reactor_op {
public:
    using Handler = StreamCompletion;
    using Strand = SessionStrand<net::io_context::executor_type>;
    BOOST_ASIO_DEFINE_HANDLER_PTR(DrainingReceiveOp);

    DrainingReceiveOp(int fd, net::mutable_buffer buffer, Handler& handler, const Executor& io_ex)
        : reactor_op(boost::system::error_code(), &DrainingReceiveOp::do_perform, &DrainingReceiveOp::do_complete),
          fd_(fd),
          buffer_(buffer),
          handler_(std::move(handler)) {
        if (const auto* strand = io_ex.target<Strand>()) {
            strand_.emplace(*strand);
        } else {
            work_.emplace(handler_, io_ex);
        }
    }

    static status do_perform(reactor_op* base) {
        auto* op = static_cast<DrainingReceiveOp*>(base);
        while (true) {
            const auto n = ::recv(op->fd_, op->buffer_.data(), op->buffer_.size(), 0);
            if (n > 0) {
                op->bytes_transferred_ = static_cast<std::size_t>(n);
                return op->bytes_transferred_ < op->buffer_.size() ? done_and_exhausted : done;
            }
            if (n == 0) {  // the end (an empty buffer never gets here: Asio's own receive takes it)
                op->ec_ = net::error::eof;
                return done_and_exhausted;
            }
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
            op->ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
            return done;
        }
    }

    static void do_complete(void* owner, net::detail::operation* base, const boost::system::error_code&,
                            std::size_t) {
        auto* op = static_cast<DrainingReceiveOp*>(base);
        ptr p = {net::detail::addressof(op->handler_), op, op};
        std::optional<Strand> strand(std::move(op->strand_));
        std::optional<net::detail::handler_work<Handler, Executor>> work;
        if (op->work_) work.emplace(std::move(*op->work_));
        // The handler leaves the operation's memory before it is returned:
        // the handler's owner may be what keeps that memory's pool alive.
        net::detail::binder2<Handler, boost::system::error_code, std::size_t> handler(op->handler_, op->ec_,
                                                                                      op->bytes_transferred_);
        p.h = net::detail::addressof(handler.handler_);
        p.reset();
        if (owner) {
            net::detail::fenced_block fence(net::detail::fenced_block::half);
            if (strand) {
                strand->execute(std::move(handler));
            } else {
                work->complete(handler, handler.handler_);
            }
        }
    }

private:
    int fd_;
    net::mutable_buffer buffer_;
    Handler handler_;
    std::optional<Strand> strand_;                                    // the connection's strand, or
    std::optional<net::detail::handler_work<Handler, Executor>> work_;  // Asio's way, through the executor
};

}  // namespace

DrainingSocket::DrainingSocket(net::ip::tcp::socket socket)
    : net::ip::tcp::socket(std::move(socket)),
      reactor_(net::use_service<net::detail::reactor>(net::query(get_executor(), net::execution::context))) {}

void DrainingSocket::async_receive_draining(net::mutable_buffer buffer, StreamCompletion done) {
    // Asio's own receive completes an empty read at once and a closed socket's with an error.
    if (buffer.size() == 0 || !is_open()) return async_read_some(buffer, std::move(done));
    auto& impl = impl_.get_implementation();
    DrainingReceiveOp::ptr p = {net::detail::addressof(done), DrainingReceiveOp::ptr::allocate(done), nullptr};
    p.p = new (p.v) DrainingReceiveOp(native_handle(), buffer, done, impl_.get_executor());
    reactor_.start_op(net::detail::reactor::read_op, impl.socket_, impl.reactor_data_, p.p, false, true);
    p.v = p.p = nullptr;
}

#else

DrainingSocket::DrainingSocket(net::ip::tcp::socket socket) : net::ip::tcp::socket(std::move(socket)) {}

void DrainingSocket::async_receive_draining(net::mutable_buffer buffer, StreamCompletion done) {
    async_read_some(buffer, std::move(done));
}

#endif

}  // namespace mockserve::http::detail
