// RedisOptions as connect_redis takes them: no two settings that contradict each other.
#pragma once

#include <errand/redis.hpp>

namespace errand::redis {

/// Throws errand::ConfigError naming the two settings that contradict each other.
void check_options(const RedisOptions& options);

}  // namespace errand::redis
