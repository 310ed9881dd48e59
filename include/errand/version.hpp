#pragma once

namespace errand {
inline constexpr const char* version = "0.1.0";
}  // namespace errand
