#pragma once
// HttpError: why a request is refused before any handler sees it.

#include <string>

namespace mockserve::http::detail {

struct HttpError {
    int status = 400;
    std::string message;  // the reason text of send_error(); empty: the table's
    std::string explain;  // the error page's explanation; empty: the table's
};

}  // namespace mockserve::http::detail
