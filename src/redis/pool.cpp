#include "redis/pool.hpp"

namespace errand::redis {

Pool::Pool(RedisOptions options, std::size_t max_size)
    : options_(std::move(options)),
      pool_({.name = "redis",
             .max_size = max_size,
             .open = [this] { return std::make_unique<Connection>(options_); },
             .reusable = [](const Connection& c) { return c.usable(); },
             .wait_limit = options_.command_timeout}) {}

}  // namespace errand::redis
