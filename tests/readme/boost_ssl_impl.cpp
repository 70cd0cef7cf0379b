// Asio's SSL streams, compiled once for the documents' HTTPS clients (the
// build defines BOOST_ASIO_SEPARATE_COMPILATION). Kept out of the library:
// Asio's SSL initialisation runs OpenSSL's at every start of a program that
// links it, and mockserve's own TLS is OpenSSL's, used directly.
#include <boost/asio/ssl/impl/src.hpp>
