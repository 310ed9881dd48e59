// A bounded pool of connections, shared by the stores: a connection is lent to one
// thread at a time and comes back when its Lease ends; one that is broken (or left
// mid-transaction) is dropped instead, and a new one is opened when needed.
#pragma once

#include <errand/error.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace errand::detail {

template <class Connection>
class ConnectionPool {
 public:
  struct Settings {
    std::string name;  ///< "redis", ... for messages
    std::size_t max_size = 8;
    std::function<std::unique_ptr<Connection>()> open;
    /// Whether a returned connection may be lent again.
    std::function<bool(const Connection&)> reusable = [](const Connection&) { return true; };
    /// How long acquire() waits for a connection when all are lent; nullopt: as long as it takes.
    std::optional<std::chrono::milliseconds> wait_limit{};
  };

  explicit ConnectionPool(Settings settings) : settings_(std::move(settings)) {
    if (settings_.max_size == 0) {
      throw ConfigError("errand: a " + settings_.name + " connection pool needs at least one connection");
    }
  }
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  /// A connection on loan; goes back to the pool when destroyed (or is dropped if broken).
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> c, bool reused) : pool_(&pool), c_(std::move(c)), reused_(reused) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (c_) pool_->release(std::move(c_));
    }
    Connection& operator*() const noexcept { return *c_; }
    Connection* operator->() const noexcept { return c_.get(); }
    /// True when the connection had been used before (and so may have gone stale).
    [[nodiscard]] bool reused() const noexcept { return reused_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> c_;
    bool reused_;
  };

  /// An idle connection, a new one while under max_size, or the first one returned.
  /// Throws errand::ConnectionError when none comes within the wait limit, or what
  /// opening a connection throws.
  Lease acquire() {
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return !idle_.empty() || open_ < settings_.max_size; };
    if (settings_.wait_limit) {
      if (!returned_.wait_for(lock, *settings_.wait_limit, ready)) {
        throw ConnectionError("errand: " + settings_.name + " pool: all " + std::to_string(settings_.max_size) +
                              " connections stayed busy for " + std::to_string(settings_.wait_limit->count()) +
                              " ms (raise pool_size)");
      }
    } else {
      returned_.wait(lock, ready);
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      return {*this, std::move(c), true};
    }
    ++open_;
    lock.unlock();
    try {
      return {*this, settings_.open(), false};
    } catch (...) {
      lock.lock();
      --open_;
      lock.unlock();
      returned_.notify_one();
      throw;
    }
  }

  /// Closes every idle connection (e.g. when one turned out stale, the others likely are).
  void drop_idle() {
    std::vector<std::unique_ptr<Connection>> dropped;
    {
      std::lock_guard lock(mutex_);
      open_ -= idle_.size();
      dropped.swap(idle_);
    }
    returned_.notify_all();
  }

 private:
  void release(std::unique_ptr<Connection> c) {
    {
      std::lock_guard lock(mutex_);
      if (settings_.reusable(*c)) {
        idle_.push_back(std::move(c));
      } else {
        --open_;
      }
    }
    returned_.notify_one();
  }

  Settings settings_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

}  // namespace errand::detail
