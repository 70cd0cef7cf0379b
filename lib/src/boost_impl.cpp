// The one translation unit that compiles Boost.Asio and Boost.Beast
// (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
// Asio's SSL streams, for the tests' and the documents' HTTPS clients (the
// server's own TLS is OpenSSL's, used directly: tls_stream.hpp).
#include <boost/asio/ssl/impl/src.hpp>
