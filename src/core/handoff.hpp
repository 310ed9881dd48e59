// The bounded hand-off between the fetcher and the worker threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace errand::detail {

/// Holds fetched jobs until a worker thread takes one. `limit` bounds the jobs held
/// plus the jobs running, so the fetcher never takes more than the threads can start soon.
/// The worker threads may move the limit as they learn how long jobs take (done()).
template <class T>
class Handoff {
 public:
  explicit Handoff(std::size_t limit) : limit_(limit) {}

  /// Blocks until there is room; returns how many items fit, or 0 when closed or stopped.
  std::size_t wait_for_room(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    room_changed_.wait(lock, stop, [&] { return closed_ || items_.size() + busy_ < limit_; });
    if (closed_ || stop.stop_requested()) return 0;
    return limit_ - items_.size() - busy_;
  }

  [[nodiscard]] std::size_t limit() const {
    std::lock_guard lock(mutex_);
    return limit_;
  }

  /// Adds items for the workers. Returns false (leaving `items` untouched) when closed.
  bool push_all(std::vector<T>& items) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return false;
      for (auto& item : items) items_.push_back(std::move(item));
    }
    items.clear();
    item_ready_.notify_all();
    return true;
  }

  /// Takes the next item, blocking while there is none; nullopt once closed.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    item_ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (closed_) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    ++busy_;
    return item;
  }

  /// Marks an item taken by pop() as finished; from now on at most `limit` items are
  /// held (waiting plus busy).
  void done(std::size_t limit) {
    {
      std::lock_guard lock(mutex_);
      --busy_;
      limit_ = limit;
    }
    room_changed_.notify_all();
  }
  void done() {
    std::size_t limit = 0;
    {
      std::lock_guard lock(mutex_);
      limit = limit_;
    }
    done(limit);
  }

  /// No more pushes or pops. Returns the items no worker took.
  std::vector<T> close() {
    std::vector<T> left;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      left.assign(std::make_move_iterator(items_.begin()), std::make_move_iterator(items_.end()));
      items_.clear();
    }
    item_ready_.notify_all();
    room_changed_.notify_all();
    return left;
  }

  /// Waits until no item is being worked on; false if `deadline` came first.
  bool wait_idle(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return room_changed_.wait_until(lock, deadline, [&] { return busy_ == 0; });
  }

  /// Calls `f(item)` for each item waiting for a worker.
  template <class F>
  void for_each_waiting(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& item : items_) f(item);
  }

  [[nodiscard]] std::size_t busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
  }

 private:
  std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable_any room_changed_;
  std::condition_variable item_ready_;
  std::deque<T> items_;
  std::size_t busy_ = 0;
  bool closed_ = false;
};

}  // namespace errand::detail
