// Counts jobs as worker threads run them, and wakes the waiting thread when the last
// one of a target number has run.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace errand::bench {

class Countdown {
 public:
  explicit Countdown(std::int64_t target) : target_(target) {}

  /// Counts one job (any thread); the target-th one wakes wait_for(). What a thread
  /// wrote before counting is visible to the thread that wait_for() wakes.
  void count_one() {
    if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == target_) {
      const std::lock_guard lock(mutex_);
      done_ = true;
      reached_.notify_all();
    }
  }

  /// Waits until `target` jobs have been counted; false after `timeout`.
  [[nodiscard]] bool wait_for(std::chrono::steady_clock::duration timeout) {
    std::unique_lock lock(mutex_);
    return reached_.wait_for(lock, timeout, [&] { return done_; });
  }

  [[nodiscard]] std::int64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t target() const noexcept { return target_; }

 private:
  const std::int64_t target_;
  std::atomic<std::int64_t> count_{0};
  std::mutex mutex_;
  std::condition_variable reached_;
  bool done_ = false;
};

}  // namespace errand::bench
