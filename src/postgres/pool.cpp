#include "postgres/pool.hpp"

namespace errand::pq {

Pool::Pool(std::string conninfo, std::size_t size) : conninfo_(std::move(conninfo)), size_(std::max<std::size_t>(1, size)) {}

Pool::Lease::~Lease() {
  if (c_) pool_->release(std::move(c_));
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return {*this, std::move(c)};
  }
  ++open_;
  lock.unlock();
  try {
    return {*this, std::make_unique<Connection>(conninfo_)};
  } catch (...) {
    lock.lock();
    --open_;
    returned_.notify_one();
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(mutex_);
  // A connection left broken or inside a transaction (an exception mid-way) is closed.
  if (c->healthy() && !c->in_transaction()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  returned_.notify_one();
}

}  // namespace errand::pq
