// The Postgres store's connections: a detail::ConnectionPool of libpq connections. A
// connection left broken, or inside a transaction (an exception part-way), is closed.
#pragma once

#include "kit/connection_pool.hpp"
#include "postgres/pq.hpp"

#include <string>

namespace errand::pq {

using Pool = detail::ConnectionPool<Connection>;

[[nodiscard]] inline Pool::Settings pool_settings(const std::string& conninfo, std::size_t size) {
  return {.name = "postgres",
          .max_size = size,
          .open = [conninfo] { return std::make_unique<Connection>(conninfo); },
          .reusable = [](const Connection& c) { return c.healthy() && !c.in_transaction(); },
          // Generous: a wait this long means too small a pool (or a bug), and an error
          // says so where a hang would not.
          .wait_limit = std::chrono::seconds(30)};
}

}  // namespace errand::pq
