#include "framing.hpp"

#include <mockserve/detail/text.hpp>

#include <mockserve/headers.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace mockserve::http::detail {

namespace {

// The elements of a comma-separated list field, across all its lines.
std::vector<std::string_view> list_elements(const std::vector<std::string_view>& values) {
    std::vector<std::string_view> elements;
    for (const auto value : values)
        any_list_element(value, [&](std::string_view element) {
            elements.push_back(element);
            return false;
        });
    return elements;
}

HttpError bad(std::string message) { return HttpError{400, std::move(message), {}}; }

// The transfer codings of IANA's registry that a request may carry: chunked,
// and the compressions (which mockserve does not undo).
bool is_registered_coding(std::string_view coding) {
    for (const std::string_view known : {"chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress"})
        if (iequals(coding, known)) return true;
    return false;
}

}  // namespace

std::variant<BodyFraming, HttpError> check_framing(const RequestHead& head, const Limits& limits) {
    const auto transfer_encodings = head.headers.get_all("Transfer-Encoding");
    const auto content_lengths = head.headers.get_all("Content-Length");

    if (!transfer_encodings.empty()) {
        if (!content_lengths.empty()) return bad("Bad request: both Content-Length and Transfer-Encoding");
        if (head.minor == 0) return bad("Bad request: Transfer-Encoding in an HTTP/1.0 request");
        const auto codings = list_elements(transfer_encodings);
        // A coding the server does not know (or with parameters, which none
        // of the known ones takes): it cannot be undone, 501 (section 6.1).
        for (const auto coding : codings)
            if (!is_registered_coding(coding))
                return HttpError{501, "Unsupported transfer coding (" + std::string(coding) + ")", {}};
        if (codings.empty() || !iequals(codings.back(), "chunked"))
            return bad("Bad request: Transfer-Encoding does not end in chunked");
        for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
            if (iequals(codings[i], "chunked")) return bad("Bad request: chunked applied twice");
        }
        if (codings.size() > 1)
            return HttpError{501, "Unsupported transfer coding (" + std::string(codings.front()) + ")", {}};
        return BodyFraming{BodyFraming::Kind::chunked, 0};
    }

    if (content_lengths.empty()) return BodyFraming{};
    std::optional<std::uint64_t> length;
    for (auto value : content_lengths) {
        // "Content-Length: 5, 5" is one length said twice; anything else in a
        // list is a conflict.
        std::vector<std::string_view> parts;
        while (true) {
            const auto comma = value.find(',');
            parts.push_back(trim_ows(value.substr(0, comma)));
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
        for (const auto part : parts) {
            const auto parsed = parse_decimal(part);
            if (!parsed || *parsed > static_cast<std::uint64_t>(INT64_MAX))
                return bad("Bad request: invalid Content-Length (" + std::string(part) + ")");
            if (length && *length != *parsed) return bad("Bad request: conflicting Content-Length values");
            length = parsed;
        }
    }
    if (*length > limits.max_body_size) return HttpError{413, {}, {}};
    if (*length == 0) return BodyFraming{};
    return BodyFraming{BodyFraming::Kind::length, *length};
}

}  // namespace mockserve::http::detail
