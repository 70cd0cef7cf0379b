#pragma once
// ResponseTemplate: a response body or header value with {{...}} filled
// from the request (response.template = on). Compiled once when the server
// starts (and checked when the scenario loads); rendering walks the parts.
//
// Rules:
//   - {{NAME}} or {{NAME ARGUMENT}}, white space inside the braces ignored;
//     a "{{" without its "}}" is a mistake, as is an unknown NAME.
//   - request.method, request.path (decoded, no query), request.path.N (the
//     Nth segment, from 0), request.query.NAME and request.header.NAME (the
//     first value; the header name without regard to case), request.body,
//     request.json POINTER (RFC 6901, into the body's JSON: a string's
//     content without its quotes, any other value as JSON text),
//     request.match.N (group N of the route's path expression; 0 is the
//     whole match; only for a "~" path, N at most its group count), seq (the
//     request's journal number), uuid (version 4, from the run's seeded
//     random source), now (RFC 3339, UTC).
//   - A value the request does not have is "".
//   - Escaping: in a body whose Content-Type is JSON, inserted text is
//     escaped as the inside of a JSON string, so that a quote or backslash a
//     client sent cannot break the document; in a header value, control
//     characters are dropped, so that a value cannot split the head.

#include <mockserve/scenario/scenario.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mockserve::scenario::detail {

struct ParsedBody;

// What a template reads of one request.
struct TemplateRequest {
    std::string_view method;
    std::string_view path;  // decoded, without the query
    const std::vector<Field>* query = nullptr;
    const std::vector<Field>* headers = nullptr;
    std::string_view body;
    std::uint64_t sequence = 0;
    const std::vector<std::string>* path_groups = nullptr;  // the path expression's match, when it has one
    std::chrono::system_clock::time_point now;
    std::function<std::uint64_t()> random;  // for {{uuid}}
    mutable std::shared_ptr<const ParsedBody> json;  // the body's JSON, parsed on first use
};

class ResponseTemplate {
public:
    enum class Escape { none, json, header };

    // `path_groups`: the group count of the route's path expression, or -1
    // when its path is not an expression. Returns what is wrong in `error`.
    static ResponseTemplate compile(std::string_view text, int path_groups, std::string& error);

    void render(const TemplateRequest& request, Escape escape, std::string& out) const;
    bool reads_json() const { return reads_json_; }
    bool reads_match() const { return reads_match_; }

private:
    enum class Kind { literal, method, path, path_segment, query, header, body, json, match, seq, uuid, now };
    struct Part {
        Kind kind = Kind::literal;
        std::string text;        // the literal, the name, or the JSON pointer
        std::size_t index = 0;   // a segment's or a group's number
    };
    std::vector<Part> parts_;
    bool reads_json_ = false;
    bool reads_match_ = false;
};

// The templates of one canned response with response.template = on: its
// body (or each event), and each header value, compiled.
struct ResponseTemplates {
    ResponseTemplate body;
    std::vector<ResponseTemplate> events;
    std::vector<ResponseTemplate> headers;  // as the response's headers, in order
    bool json_body = false;                 // the Content-Type is JSON: inserts are escaped
    bool reads_json = false;
    bool reads_match = false;
};
// Compiles them; on a mistake, returns nothing with `error` and `key` (the
// key it was found in: response.body, response.header or response.event).
std::optional<ResponseTemplates> compile_templates(const Route& route, const CannedResponse& response,
                                                   std::string& error, std::string& key);

// Whether a Content-Type value names JSON ("application/json",
// "application/problem+json; charset=utf-8").
bool is_json_media_type(std::string_view content_type);

}  // namespace mockserve::scenario::detail
