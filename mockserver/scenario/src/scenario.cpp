#include <mockserve/scenario/scenario.hpp>

#include <algorithm>

namespace mockserve::scenario {

namespace {

// A machine's or a state's name: letters, digits, '_', '-', '.'.
bool is_state_name(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

}  // namespace

std::optional<StateRef> StateRef::parse(std::string_view text) {
    StateRef ref;
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
        if (!is_state_name(text.substr(0, colon))) return std::nullopt;
        ref.machine = std::string(text.substr(0, colon));
        text.remove_prefix(colon + 1);
    }
    if (!is_state_name(text)) return std::nullopt;
    ref.state = std::string(text);
    return ref;
}

std::string StateRef::to_string() const { return machine.empty() ? state : machine + ":" + state; }

PathPattern PathPattern::parse(const std::string& text) {
    PathPattern pattern;
    if (text.size() >= 1 && text[0] == '~') {
        pattern.kind = Kind::regex;
        pattern.text = text.substr(text.find_first_not_of(" \t", 1) == std::string::npos
                                       ? text.size()
                                       : text.find_first_not_of(" \t", 1));
        pattern.regex = std::make_shared<const Regex>(pattern.text);
    } else if (!text.empty() && text.back() == '*') {
        pattern.kind = Kind::prefix;
        pattern.text = text.substr(0, text.size() - 1);
    } else {
        pattern.kind = Kind::exact;
        pattern.text = text;
    }
    return pattern;
}

bool PathPattern::matches(std::string_view path) const {
    switch (kind) {
        case Kind::exact: return path == text;
        case Kind::prefix: return path.substr(0, text.size()) == text;
        case Kind::regex: return regex->search(path) == Regex::Search::found;  // a path is at most 8 KiB
    }
    return false;
}

std::string PathPattern::to_string() const {
    switch (kind) {
        case Kind::exact: return text;
        case Kind::prefix: return text + "*";
        case Kind::regex: return "~ " + text;
    }
    return text;
}

bool CountRule::holds(std::size_t actual) const {
    switch (op) {
        case Op::exactly: return actual == n;
        case Op::at_least: return actual >= n;
        case Op::at_most: return actual <= n;
    }
    return false;
}

std::string CountRule::to_string() const {
    switch (op) {
        case Op::exactly: return "exactly " + std::to_string(n);
        case Op::at_least: return "at least " + std::to_string(n);
        case Op::at_most: return "at most " + std::to_string(n);
    }
    return {};
}

const ServerSpec* Scenario::find_server(std::string_view wanted) const {
    for (const auto& server : servers)
        if (server.name == wanted) return &server;
    return nullptr;
}

}  // namespace mockserve::scenario
