#include <mockserve/scenario/regex.hpp>

#include <boost/regex.hpp>

namespace mockserve::scenario {

struct Regex::Compiled {
    boost::regex regex;
};

Regex::Regex(const std::string& expression) : expression_(expression) {
    try {
        compiled_ = std::make_shared<const Compiled>(Compiled{boost::regex(expression, boost::regex::ECMAScript)});
    } catch (const boost::regex_error& e) {
        throw std::invalid_argument(e.what());
    }
}

Regex::Search Regex::search(std::string_view text, std::string* why) const {
    try {
        return boost::regex_search(text.begin(), text.end(), compiled_->regex) ? Search::found : Search::not_found;
    } catch (const std::runtime_error& e) {
        // Too complex for this text (the engine's state bound), or out of
        // memory for its state: no verdict.
        if (why) *why = e.what();
        return Search::gave_up;
    }
}

Regex::Search Regex::search(std::string_view text, std::vector<std::string>& groups) const {
    groups.clear();
    try {
        boost::match_results<std::string_view::const_iterator> found;
        if (!boost::regex_search(text.begin(), text.end(), found, compiled_->regex)) return Search::not_found;
        for (std::size_t i = 0; i < found.size(); ++i) groups.push_back(found[i].matched ? found[i].str() : std::string());
        return Search::found;
    } catch (const std::runtime_error&) {
        return Search::gave_up;
    }
}

std::size_t Regex::groups() const { return compiled_->regex.mark_count(); }

}  // namespace mockserve::scenario
