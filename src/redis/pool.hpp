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
    Lease(Pool& pool, std::unique_ptr<Connection> connection, bool reused)
        : pool_(&pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }
    /// True when the connection had been used before (and so may have gone stale).
    [[nodiscard]] bool reused() const noexcept { return reused_; }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
    bool reused_;
  };

  /// An idle connection, a new one while under max_size, or the first one returned
  /// within the command timeout. Throws errand::ConnectionError.
  Lease acquire();

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
        drop_idle();
      }
    }
  }

  [[nodiscard]] const RedisOptions& options() const noexcept { return options_; }

 private:
  void release(std::unique_ptr<Connection> connection);
  void drop_idle();

  RedisOptions options_;
  std::size_t max_size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace errand::redis
