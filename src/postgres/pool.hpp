// A pool of libpq connections; a broken connection is dropped, not returned.
#pragma once

#include "postgres/pq.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace errand::pq {

class Pool {
 public:
  Pool(std::string conninfo, std::size_t size);

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *c_; }
    Connection* operator->() const noexcept { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  /// A connection, opened if none is idle; waits while `size` are in use.
  Lease acquire();
  [[nodiscard]] const std::string& conninfo() const noexcept { return conninfo_; }

 private:
  void release(std::unique_ptr<Connection> c);

  std::string conninfo_;
  std::size_t size_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace errand::pq
