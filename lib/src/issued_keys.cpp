#include "issued_keys.hpp"

#include <deque>
#include <mutex>
#include <string>
#include <utility>

namespace mockserve::http::detail {

namespace {

constexpr std::size_t kKept = 16;

struct IssuedKeys {
    std::mutex mutex;
    std::deque<std::pair<std::string, KeyPtr>> recent;  // newest last
};

IssuedKeys& issued() {
    static IssuedKeys keys;
    return keys;
}

}  // namespace

void remember_issued_key(std::string_view pem, EVP_PKEY* key) {
    EVP_PKEY_up_ref(key);
    KeyPtr held(key);
    auto& keys = issued();
    std::lock_guard lock(keys.mutex);
    keys.recent.emplace_back(std::string(pem), std::move(held));
    if (keys.recent.size() > kKept) keys.recent.pop_front();
}

KeyPtr find_issued_key(std::string_view pem) {
    auto& keys = issued();
    std::lock_guard lock(keys.mutex);
    for (const auto& [text, key] : keys.recent) {
        if (text != pem) continue;
        EVP_PKEY_up_ref(key.get());
        return KeyPtr(key.get());
    }
    return nullptr;
}

}  // namespace mockserve::http::detail
