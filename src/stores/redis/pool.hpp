// A bounded pool of Redis connections (detail::ConnectionPool), plus the one retry
// Redis clients make when an idle connection turned out to be stale.
#pragma once

#include <errand/error.hpp>

#include "kit/connection_pool.hpp"
#include "redis/connection.hpp"

namespace errand::redis {

class Pool {
 public:
  using Lease = detail::ConnectionPool<Connection>::Lease;

  /// `tls`: the TLS settings its connections share (rediss://); null for plain TCP.
  Pool(RedisOptions options, std::size_t max_size, std::shared_ptr<TlsContext> tls);

  /// An idle connection, a new one while under max_size, or the first one returned
  /// within the command timeout. Throws errand::ConnectionError.
  Lease acquire() { return pool_.acquire(); }

  /// Runs `f(connection)`. When a connection taken from the idle list turns out to be
  /// dead (closed by the server or a proxy while idle), the other idle ones likely are
  /// too: they are dropped, and `f` runs once more on a fresh connection, as redis-rb
  /// reconnects once. A timeout is never retried: the server may have
  /// run the commands, and running an LPUSH twice would enqueue a job twice.
  template <class F>
  auto with(F&& f) {
    for (int attempt = 0;; ++attempt) {
      Lease lease = acquire();
      try {
        return f(*lease);
      } catch (const TimeoutError&) {
        throw;
      } catch (const ConnectionError&) {
        if (attempt >= 1 || !lease.reused() || lease->usable()) throw;
        pool_.drop_idle();
      }
    }
  }

  [[nodiscard]] const RedisOptions& options() const noexcept { return options_; }
  [[nodiscard]] std::size_t max_size() const noexcept { return max_size_; }

 private:
  RedisOptions options_;
  std::size_t max_size_;
  std::shared_ptr<TlsContext> tls_;
  detail::ConnectionPool<Connection> pool_;
};

}  // namespace errand::redis
