#include "redis/pool.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

namespace errand::redis {

Pool::Pool(RedisOptions options, std::size_t max_size) : options_(std::move(options)), max_size_(max_size) {
  if (max_size_ == 0) throw ConfigError("errand: a redis pool needs at least one connection");
}

Pool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const bool available = returned_.wait_for(lock, options_.command_timeout,
                                            [&] { return !idle_.empty() || open_ < max_size_; });
  if (!available) {
    throw ConnectionError(fmt::format("errand: redis pool: all {} connections stayed busy for {} ms (raise pool_size)",
                                      max_size_, options_.command_timeout.count()));
  }
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return {*this, std::move(connection), true};
  }
  ++open_;
  lock.unlock();
  try {
    return {*this, std::make_unique<Connection>(options_), false};
  } catch (...) {
    lock.lock();
    --open_;
    lock.unlock();
    returned_.notify_one();
    throw;
  }
}

void Pool::drop_idle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mutex_);
    open_ -= idle_.size();
    dropped.swap(idle_);
  }
  returned_.notify_all();
}

void Pool::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->usable()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
  }
  returned_.notify_one();
}

}  // namespace errand::redis
