// RedisOptions as connect_redis takes them: each setting within its limits, and no two
// that contradict each other.
#pragma once

#include <errand/redis.hpp>

namespace errand::redis {

/// The most connections one pool may have (pool_size, fetch_pool_size).
inline constexpr std::size_t max_pool_size = 10'000;

/// Throws errand::ConfigError naming the setting (with its URL parameter and config key)
/// and its limits, or the two settings that contradict each other.
void check_options(const RedisOptions& options);

}  // namespace errand::redis
