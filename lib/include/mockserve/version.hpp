#pragma once

namespace mockserve {

inline constexpr const char* version = "0.1.0";

}  // namespace mockserve
