#include <mockserve/headers.hpp>

namespace mockserve::http {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

void Headers::add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::replace_or_add(std::string_view name, std::string value) {
    for (auto& [n, v] : fields_) {
        if (iequals(n, name)) {
            v = std::move(value);
            return;
        }
    }
    fields_.emplace_back(std::string(name), std::move(value));
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) return std::string_view(v);
    return std::nullopt;
}

std::string_view Headers::get(std::string_view name, std::string_view fallback) const {
    return get(name).value_or(fallback);
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> values;
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) values.emplace_back(v);
    return values;
}

std::size_t Headers::count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& field : fields_)
        if (iequals(field.first, name)) ++n;
    return n;
}

std::string Headers::to_string() const {
    std::string text;
    for (const auto& [n, v] : fields_) {
        text.append(n).append(": ").append(v).append("\r\n");
    }
    return text;
}

}  // namespace mockserve::http
