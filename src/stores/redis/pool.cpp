#include "redis/pool.hpp"

namespace errand::redis {

Pool::Pool(RedisOptions options, std::size_t max_size, std::shared_ptr<TlsContext> tls)
    : options_(std::move(options)),
      max_size_(max_size),
      tls_(std::move(tls)),
      pool_({.name = "redis",
             .max_size = max_size,
             .open = [this] { return std::make_unique<Connection>(options_, tls_); },
             .reusable = [](const Connection& c) { return c.usable(); },
             .wait_limit = options_.command_timeout}) {}

}  // namespace errand::redis
