#pragma once
// Whether bytes are UTF-8 (structurally: lead and continuation bytes), for
// the writers that must choose between text and something else.

#include <cstddef>
#include <string_view>

namespace mockserve::scenario::detail {

inline bool valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 4;
        if (extra == 4 || (extra > 0 && i + extra >= text.size())) return false;
        for (std::size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        i += extra + 1;
    }
    return true;
}

}  // namespace mockserve::scenario::detail
