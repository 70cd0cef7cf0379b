// canonical_json (declared in <mockserve/scenario/scenario.hpp>): a JSON
// document as text with object keys sorted and no white space, so that two
// documents are JSON-equal when their canonical texts are equal. The rules:
//   - object members sorted by key (bytes of the unescaped key); of keys
//     that repeat, the last one counts, as in JavaScript's JSON.parse;
//   - strings escaped as Boost.JSON serializes them;
//   - an integer (no fraction, no exponent, within 64 bits) is written as
//     it is, exactly;
//   - any other number is its value, however it is written: read with correct
//     rounding (glibc's strtod, in the C locale whatever the program's;
//     Boost.JSON 1.81's own reading of decimals can be an
//     ulp off, which made "1111111111111111111111" and its canonical form
//     two different numbers), then written as an integer when it is one
//     within +-2^53 (so 1.0, 1e0 and 1 are equal), else in the shortest
//     text that reads back to the same double; beyond the range of a double
//     +-1e999;
//   - what Boost.JSON's parser refuses by default is not JSON (comments,
//     trailing commas, invalid UTF-8, nesting deeper than 32).
// Built with Boost.JSON's basic_parser, which hands over each number's text.

#include <mockserve/scenario/scenario.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <locale.h>
#include <stdlib.h>
#include <string>
#include <utility>
#include <vector>

namespace mockserve::scenario {

namespace {

std::string canonical_number(const std::string& text) {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
    const double value = strtod_l(text.c_str(), nullptr, c_locale);
    if (std::isinf(value)) return value > 0 ? "1e999" : "-1e999";
    constexpr double exact_integers = 9007199254740992.0;  // 2^53
    if (value == std::floor(value) && std::fabs(value) <= exact_integers)
        return std::to_string(static_cast<std::int64_t>(value));
    char buffer[32];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, written.ptr);
}

// Writes each value's canonical text as the parser reports it; containers
// collect their members' texts and are written when they close.
class CanonicalWriter {
public:
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_string_size = -1;
    static constexpr std::size_t max_key_size = -1;

    std::string result;

    bool on_document_begin(boost::json::error_code&) { return true; }
    bool on_document_end(boost::json::error_code&) { return true; }
    bool on_array_begin(boost::json::error_code&) { return open(false); }
    bool on_array_end(std::size_t, boost::json::error_code&) { return close(); }
    bool on_object_begin(boost::json::error_code&) { return open(true); }
    bool on_object_end(std::size_t, boost::json::error_code&) { return close(); }
    bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) { return part(s); }
    bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
        part(s);
        return value(boost::json::serialize(boost::json::string_view(take_part())));
    }
    bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) { return part(s); }
    bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
        part(s);
        key_ = take_part();
        return true;
    }
    bool on_number_part(boost::json::string_view s, boost::json::error_code&) { return part(s); }
    // Integers Boost.JSON read exactly stay exact (an id past 2^53 is not
    // rounded into its neighbour).
    bool on_int64(std::int64_t i, boost::json::string_view s, boost::json::error_code&) {
        return integer(s, std::to_string(i));
    }
    bool on_uint64(std::uint64_t u, boost::json::string_view s, boost::json::error_code&) {
        return integer(s, std::to_string(u));
    }
    bool on_double(double, boost::json::string_view s, boost::json::error_code&) { return number(s); }
    bool on_bool(bool b, boost::json::error_code&) { return value(b ? "true" : "false"); }
    bool on_null(boost::json::error_code&) { return value("null"); }
    bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

private:
    struct Container {
        bool object = false;
        std::string key;  // its own key in the object that holds it
        std::vector<std::pair<std::string, std::string>> members;  // key (empty in arrays), canonical text
    };

    bool part(boost::json::string_view s) {
        part_.append(s.data(), s.size());
        return true;
    }
    std::string take_part() { return std::exchange(part_, std::string()); }

    bool number(boost::json::string_view s) {
        part(s);
        return value(canonical_number(take_part()));
    }
    bool integer(boost::json::string_view s, std::string text) {
        part(s);
        take_part();
        return value(std::move(text));
    }

    bool open(bool object) {
        open_.push_back(Container{object, std::exchange(key_, std::string()), {}});
        return true;
    }

    bool close() {
        Container container = std::move(open_.back());
        open_.pop_back();
        auto& members = container.members;
        std::string text(1, container.object ? '{' : '[');
        if (container.object) {
            // Sorted by key, the last of equal keys kept.
            std::stable_sort(members.begin(), members.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            std::vector<std::pair<std::string, std::string>> kept;
            for (auto& member : members) {
                if (!kept.empty() && kept.back().first == member.first) kept.back() = std::move(member);
                else kept.push_back(std::move(member));
            }
            members = std::move(kept);
        }
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (i > 0) text.push_back(',');
            if (container.object) text.append(boost::json::serialize(boost::json::string_view(members[i].first))).push_back(':');
            text.append(members[i].second);
        }
        text.push_back(container.object ? '}' : ']');
        key_ = std::move(container.key);
        return value(std::move(text));
    }

    bool value(std::string text) {
        if (open_.empty()) result = std::move(text);
        else open_.back().members.emplace_back(std::exchange(key_, std::string()), std::move(text));
        return true;
    }

    std::vector<Container> open_;
    std::string part_;
    std::string key_;
};

}  // namespace

std::optional<std::string> canonical_json(std::string_view text) {
    boost::json::basic_parser<CanonicalWriter> parser(boost::json::parse_options{});
    boost::json::error_code ec;
    const auto used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || used != text.size()) return std::nullopt;
    return std::move(parser.handler().result);
}

}  // namespace mockserve::scenario
