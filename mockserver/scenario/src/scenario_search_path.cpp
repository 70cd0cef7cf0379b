#include <mockserve/scenario/scenario_search_path.hpp>

#include <cstdlib>
#include <mutex>
#include <string_view>

namespace mockserve::scenario {

namespace {

struct AddedFolders {
    std::mutex mutex;
    std::vector<std::filesystem::path> folders;
};

// A function-local static: added folders may come from other translation
// units' static initialisation, before any namespace-scope object here.
AddedFolders& added() {
    static AddedFolders folders;
    return folders;
}

}  // namespace

bool add_scenario_search_path(const std::filesystem::path& folder) {
    auto& state = added();
    const std::lock_guard lock(state.mutex);
    state.folders.push_back(folder);
    return true;
}

std::vector<std::filesystem::path> scenario_search_path() {
    std::vector<std::filesystem::path> folders;
    if (const char* variable = std::getenv("MOCKSERVE_SCENARIO_PATH")) {
        std::string_view rest(variable);
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            const auto folder = rest.substr(0, colon);
            if (!folder.empty()) folders.emplace_back(folder);
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    auto& state = added();
    const std::lock_guard lock(state.mutex);
    folders.insert(folders.end(), state.folders.begin(), state.folders.end());
    return folders;
}

std::optional<std::filesystem::path> find_scenario_file(const std::filesystem::path& name) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(name, ec)) return name;
    if (name.is_absolute()) return std::nullopt;
    for (const auto& folder : scenario_search_path()) {
        auto candidate = folder / name;
        if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
    }
    return std::nullopt;
}

}  // namespace mockserve::scenario
