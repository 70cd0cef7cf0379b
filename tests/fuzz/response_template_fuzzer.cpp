// Response templates (mockserve/scenario/src/response_template.hpp): the
// first line of the input is a template, the rest a request body.
// Properties, for any input:
//   - a template either compiles or says what is wrong, never both;
//   - rendered into a header value, what a request inserts never brings a
//     control character (a template whose own text has none gives a value
//     with none: the head cannot be split);
//   - rendered into a JSON body, an ASCII body inserted as a string's
//     content gives a document that parses, with the body back in it;
//   - rendering reads any body, JSON or not, without failing.

#include "fuzz_property.hpp"

#include "response_template.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mockserve::scenario;
using mockserve::fuzz::check_property;
using Escape = detail::ResponseTemplate::Escape;

bool has_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

detail::TemplateRequest request_of(std::string_view body, const std::vector<Field>& fields,
                                   const std::vector<std::string>& groups) {
    detail::TemplateRequest request;
    request.method = "POST";
    request.path = body.substr(0, std::min<std::size_t>(body.size(), 64));  // any text as a path
    request.query = &fields;
    request.headers = &fields;
    request.body = body;
    request.sequence = 7;
    request.path_groups = &groups;
    request.random = [] { return std::uint64_t{42}; };
    return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const auto text = input.substr(0, newline);
    const auto body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    const std::vector<Field> fields{{"q", std::string(body.substr(0, 16))}, {"X-Id", std::string(body)}};
    const std::vector<std::string> groups{std::string(body), std::string(body.substr(0, 3))};
    const auto request = request_of(body, fields, groups);

    std::string error;
    const auto compiled = detail::ResponseTemplate::compile(text, 1, error);
    if (error.empty()) {
        for (const auto escape : {Escape::none, Escape::json, Escape::header}) {
            std::string out;
            compiled.render(request, escape, out);
            if (escape == Escape::header && !has_control(text))
                check_property(!has_control(out), "a header value's inserts bring no control character");
        }
    } else {
        check_property(!error.empty(), "a template that does not compile says why");
    }

    // The request's body as a JSON string's content, and back.
    const bool ascii = std::all_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) {
        std::string inner_error;
        const auto wrapper = detail::ResponseTemplate::compile(R"({"v": "{{request.body}}", "h": "{{request.header.X-Id}}"})",
                                                               -1, inner_error);
        check_property(inner_error.empty(), "the wrapper template compiles");
        std::string document;
        wrapper.render(request, Escape::json, document);
        boost::json::error_code ec;
        const auto parsed = boost::json::parse(document, ec);
        check_property(!ec, "an inserted body leaves a JSON document that parses");
        check_property(!ec && parsed.at("v").as_string() == body, "the inserted body reads back as it was sent");
    }
    return 0;
}
