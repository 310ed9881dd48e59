// A bounded pool of Redis connections. Broken connections are dropped, not reused.
#pragma once

#include <errand/error.hpp>

#include "redis/connection.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace errand::redis {

class Pool {
 public:
  Pool(RedisOptions options, std::size_t max_size);

  /// A connection on loan; goes back to the pool when destroyed (or is dropped if broken).
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection) : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  /// An idle connection, a new one while under max_size, or the first one returned
  /// within the command timeout. Throws errand::ConnectionError.
  Lease acquire();

  /// Runs `f(connection)`; on a connection error, once more on a fresh connection
  /// (as redis-rb reconnects once), then gives up.
  template <class F>
  auto with(F&& f) {
    for (int attempt = 0;; ++attempt) {
      Lease lease = acquire();
      try {
        return f(*lease);
      } catch (const ConnectionError&) {
        if (attempt >= 1 || lease->usable()) throw;
      }
    }
  }

  [[nodiscard]] const RedisOptions& options() const noexcept { return options_; }

 private:
  void release(std::unique_ptr<Connection> connection);

  RedisOptions options_;
  std::size_t max_size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace errand::redis
