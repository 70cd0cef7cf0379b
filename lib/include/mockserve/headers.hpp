#pragma once
// Headers: the request's header fields, Python's http.client.HTTPMessage.
//
// Names compare case-insensitively; every field is kept, in arrival order,
// repeated ones included.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mockserve::http {

class Headers {
public:
    using Field = std::pair<std::string, std::string>;
    using const_iterator = std::vector<Field>::const_iterator;

    void add(std::string name, std::string value);
    // Sets the value of the first field called `name` (keeping its place and
    // spelling), or adds the field when there is none (Python's
    // replace_header raises KeyError then).
    void replace_or_add(std::string_view name, std::string value);
    void clear() { fields_.clear(); }
    // Room for `count` fields (mockserve's own: the parser knows how many come).
    void reserve(std::size_t count) { fields_.reserve(count); }

    // The first value of `name`, or nothing (Python: headers.get(name)).
    std::optional<std::string_view> get(std::string_view name) const;
    // The first value of `name`, or `fallback` (Python: headers.get(name, fallback)).
    std::string_view get(std::string_view name, std::string_view fallback) const;
    // Every value of `name`, in order (Python: headers.get_all(name)).
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }
    std::size_t count(std::string_view name) const;

    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }
    const std::vector<Field>& fields() const { return fields_; }

    // "Name: value\r\n" for every field, as they came.
    std::string to_string() const;

private:
    std::vector<Field> fields_;
};

// ASCII case-insensitive equality, as header names and tokens compare.
bool iequals(std::string_view a, std::string_view b);

}  // namespace mockserve::http
