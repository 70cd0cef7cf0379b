#include "response_template.hpp"

#include <mockserve/detail/text.hpp>
#include <mockserve/headers.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace mockserve::scenario::detail {

struct ParsedBody {
    bool valid = false;
    boost::json::value value;
};

namespace {

std::optional<std::size_t> number(std::string_view text) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// RFC 6901: "" (the whole document) or "/"-separated tokens, '~' only as
// "~0" or "~1".
bool is_json_pointer(std::string_view pointer) {
    if (pointer.empty()) return true;
    if (pointer[0] != '/') return false;
    for (std::size_t i = 0; i < pointer.size(); ++i)
        if (pointer[i] == '~' && (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
            return false;
    return true;
}

const std::string* first_value(const std::vector<Field>* fields, std::string_view name, bool any_case) {
    if (!fields) return nullptr;
    for (const auto& [key, value] : *fields)
        if (any_case ? http::iequals(key, name) : key == name) return &value;
    return nullptr;
}

void append_escaped(std::string& out, std::string_view text, ResponseTemplate::Escape escape) {
    using Escape = ResponseTemplate::Escape;
    if (escape == Escape::none) {
        out.append(text);
        return;
    }
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (escape == Escape::header) {
            if (u >= 0x20 && u != 0x7f) out.push_back(c);
            continue;
        }
        switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            default:
                if (u < 0x20) {
                    char code[8];
                    std::snprintf(code, sizeof code, "\\u%04x", u);
                    out.append(code);
                } else {
                    out.push_back(c);
                }
        }
    }
}

std::string uuid4(const std::function<std::uint64_t()>& random) {
    std::uint64_t high = random ? random() : 0, low = random ? random() : 0;
    high = (high & ~0xf000ULL) | 0x4000ULL;                   // version 4
    low = (low & ~(0xcULL << 60)) | (0x8ULL << 60);           // the RFC 4122 variant
    char text[40];
    std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx",
                  static_cast<unsigned long long>(high >> 32), static_cast<unsigned long long>((high >> 16) & 0xffff),
                  static_cast<unsigned long long>(high & 0xffff), static_cast<unsigned long long>(low >> 48),
                  static_cast<unsigned long long>(low & 0xffffffffffffULL));
    return text;
}

std::string rfc3339(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

// "{{NAME}}", as a message quotes a template's expression. (Built by
// appending: GCC 12 at -O3 warns, wrongly, on "{{" + std::string(...) + ...)
std::string braces(std::string_view inside) {
    std::string text = "{{";
    text.append(inside).append("}}");
    return text;
}

constexpr const char* kNames =
    "request.method, request.path, request.path.N, request.query.NAME, request.header.NAME, request.body, "
    "request.json POINTER, request.match.N, seq, uuid, now";

}  // namespace

bool is_json_media_type(std::string_view content_type) {
    auto type = content_type.substr(0, content_type.find(';'));
    type = http::detail::trim_ows(type);
    if (http::iequals(type, "application/json") || http::iequals(type, "text/json")) return true;
    return type.size() > 5 && http::iequals(type.substr(type.size() - 5), "+json");
}

ResponseTemplate ResponseTemplate::compile(std::string_view text, int path_groups, std::string& error) {
    ResponseTemplate compiled;
    auto literal = [&](std::string_view piece) {
        if (piece.empty()) return;
        if (compiled.parts_.empty() || compiled.parts_.back().kind != Kind::literal) compiled.parts_.push_back({});
        compiled.parts_.back().text.append(piece);
    };
    std::size_t at = 0;
    while (at < text.size()) {
        const auto open = text.find("{{", at);
        if (open == std::string_view::npos) {
            literal(text.substr(at));
            break;
        }
        literal(text.substr(at, open - at));
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            error = "a template's '{{' at offset " + std::to_string(open) + " has no '}}'";
            return {};
        }
        const auto inside = http::detail::trim_ows(text.substr(open + 2, close - open - 2));
        const auto space = inside.find_first_of(" \t");
        const auto name = inside.substr(0, space);
        const auto argument =
            space == std::string_view::npos ? std::string_view() : http::detail::trim_ows(inside.substr(space));
        const auto unknown = [&] {
            error = "unknown template name " + braces(inside) + " (known: " + kNames + ")";
        };
        Part part;
        const auto suffix = [&](std::string_view prefix) -> std::optional<std::string_view> {
            if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
            return name.substr(prefix.size());
        };
        if (name == "request.json") {
            if (!is_json_pointer(argument)) {
                error = braces("request.json " + std::string(argument)) +
                        ": a JSON pointer is empty or starts with '/', such as /items/0/id";
                return {};
            }
            part.kind = Kind::json;
            part.text = std::string(argument);
            compiled.reads_json_ = true;
        } else if (!argument.empty()) {
            unknown();
            return {};
        } else if (name == "request.method") {
            part.kind = Kind::method;
        } else if (name == "request.path") {
            part.kind = Kind::path;
        } else if (name == "request.body") {
            part.kind = Kind::body;
        } else if (name == "seq") {
            part.kind = Kind::seq;
        } else if (name == "uuid") {
            part.kind = Kind::uuid;
        } else if (name == "now") {
            part.kind = Kind::now;
        } else if (const auto n = suffix("request.path.")) {
            const auto index = number(*n);
            if (!index) {
                error = braces(name) + ": a path segment is numbered from 0, such as request.path.1";
                return {};
            }
            part.kind = Kind::path_segment;
            part.index = *index;
        } else if (const auto n = suffix("request.match.")) {
            const auto index = number(*n);
            if (path_groups < 0) {
                error = braces(name) + ": the route's path is not a regular expression (request = ~ EXPR)";
                return {};
            }
            if (!index || *index > static_cast<std::size_t>(path_groups)) {
                error = braces(name) + ": the route's path expression has " +
                        std::to_string(path_groups) + " group(s); say request.match.0 to request.match." +
                        std::to_string(path_groups);
                return {};
            }
            part.kind = Kind::match;
            part.index = *index;
            compiled.reads_match_ = true;
        } else if (const auto q = suffix("request.query."); q && !q->empty()) {
            part.kind = Kind::query;
            part.text = std::string(*q);
        } else if (const auto h = suffix("request.header."); h && !h->empty()) {
            if (!http::detail::is_token(*h)) {
                error = braces(name) + ": '" + std::string(*h) + "' is not a header name";
                return {};
            }
            part.kind = Kind::header;
            part.text = std::string(*h);
        } else {
            unknown();
            return {};
        }
        compiled.parts_.push_back(std::move(part));
        at = close + 2;
    }
    return compiled;
}

void ResponseTemplate::render(const TemplateRequest& request, Escape escape, std::string& out) const {
    for (const auto& part : parts_) {
        switch (part.kind) {
            case Kind::literal: out.append(part.text); break;
            case Kind::method: append_escaped(out, request.method, escape); break;
            case Kind::path: append_escaped(out, request.path, escape); break;
            case Kind::path_segment: {
                // "/a/b/c": segment 0 is "a".
                std::string_view rest = request.path;
                if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
                std::string_view segment;
                for (std::size_t i = 0;; ++i) {
                    const auto slash = rest.find('/');
                    if (i == part.index) {
                        segment = rest.substr(0, slash);
                        break;
                    }
                    if (slash == std::string_view::npos) break;
                    rest.remove_prefix(slash + 1);
                }
                append_escaped(out, segment, escape);
                break;
            }
            case Kind::query:
                if (const auto* value = first_value(request.query, part.text, false)) append_escaped(out, *value, escape);
                break;
            case Kind::header:
                if (const auto* value = first_value(request.headers, part.text, true)) append_escaped(out, *value, escape);
                break;
            case Kind::body: append_escaped(out, request.body, escape); break;
            case Kind::json: {
                if (!request.json) {
                    auto parsed = std::make_shared<ParsedBody>();
                    boost::json::error_code ec;
                    parsed->value = boost::json::parse(request.body, ec);
                    parsed->valid = !ec;
                    request.json = std::move(parsed);
                }
                if (!request.json->valid) break;
                boost::json::error_code ec;
                const auto* found = request.json->value.find_pointer(part.text, ec);
                if (!found) break;
                if (const auto* string = found->if_string()) {
                    append_escaped(out, std::string_view(string->data(), string->size()), escape);
                } else {
                    // A number, a boolean, null, an object or an array: its
                    // JSON text, which needs no escaping inside JSON.
                    const auto json = boost::json::serialize(*found);
                    append_escaped(out, json, escape == Escape::json ? Escape::none : escape);
                }
                break;
            }
            case Kind::match:
                if (request.path_groups && part.index < request.path_groups->size())
                    append_escaped(out, (*request.path_groups)[part.index], escape);
                break;
            case Kind::seq: out.append(std::to_string(request.sequence)); break;
            case Kind::uuid: out.append(uuid4(request.random)); break;
            case Kind::now: out.append(rfc3339(request.now)); break;
        }
    }
}

std::optional<ResponseTemplates> compile_templates(const Route& route, const CannedResponse& response,
                                                   std::string& error, std::string& key) {
    const auto& path = route.request.path;
    const int groups =
        path && path->kind == PathPattern::Kind::regex ? static_cast<int>(path->regex->groups()) : -1;
    ResponseTemplates compiled;
    const auto compile = [&](std::string_view text, const char* where) -> std::optional<ResponseTemplate> {
        auto t = ResponseTemplate::compile(text, groups, error);
        if (!error.empty()) {
            key = where;
            return std::nullopt;
        }
        compiled.reads_json = compiled.reads_json || t.reads_json();
        compiled.reads_match = compiled.reads_match || t.reads_match();
        return t;
    };
    for (const auto& [name, value] : response.headers) {
        auto t = compile(value, "response.header");
        if (!t) return std::nullopt;
        compiled.headers.push_back(std::move(*t));
        if (http::iequals(name, "Content-Type")) compiled.json_body = is_json_media_type(value);
    }
    auto body = compile(response.body, "response.body");
    if (!body) return std::nullopt;
    compiled.body = std::move(*body);
    for (const auto& event : response.events) {
        auto t = compile(event, "response.event");
        if (!t) return std::nullopt;
        compiled.events.push_back(std::move(*t));
    }
    return compiled;
}

}  // namespace mockserve::scenario::detail
