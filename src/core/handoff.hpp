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
///
/// Items have a rank (0 first): a thread takes the oldest item of the lowest rank, so
/// that a job of a more urgent queue (strict order) fetched after a batch of less
/// urgent ones still runs next.
template <class T>
class Handoff {
 public:
  explicit Handoff(std::size_t limit, std::size_t ranks = 1) : limit_(limit), items_(ranks == 0 ? 1 : ranks) {}

  /// Blocks until there is room; returns how many items fit, or 0 when closed or stopped.
  std::size_t wait_for_room(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    room_changed_.wait(lock, stop, [&] { return closed_ || waiting_ + busy_ < limit_; });
    if (closed_ || stop.stop_requested()) return 0;
    return limit_ - waiting_ - busy_;
  }

  /// Adds items for the workers, each at `rank(item)` (clamped to the last rank).
  /// Returns false (leaving `items` untouched) when closed.
  template <class Rank>
  bool push_all(std::vector<T>& items, Rank rank) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return false;
      for (auto& item : items) {
        const std::size_t r = rank(static_cast<const T&>(item));
        items_[r < items_.size() ? r : items_.size() - 1].push_back(std::move(item));
      }
      waiting_ += items.size();
    }
    items.clear();
    item_ready_.notify_all();
    return true;
  }
  bool push_all(std::vector<T>& items) {
    return push_all(items, [](const T&) { return std::size_t{0}; });
  }

  /// Takes the next item, blocking while there is none; nullopt once closed.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    item_ready_.wait(lock, [&] { return closed_ || waiting_ > 0; });
    if (closed_) return std::nullopt;
    for (auto& rank : items_) {
      if (rank.empty()) continue;
      T item = std::move(rank.front());
      rank.pop_front();
      --waiting_;
      ++busy_;
      return item;
    }
    return std::nullopt;  // unreachable: waiting_ > 0
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

  /// No more pushes or pops. Returns the items no worker took, most urgent first.
  std::vector<T> close() {
    std::vector<T> left;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      for (auto& rank : items_) {
        for (auto& item : rank) left.push_back(std::move(item));
        rank.clear();
      }
      waiting_ = 0;
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
    for (const auto& rank : items_) {
      for (const auto& item : rank) f(item);
    }
  }

  [[nodiscard]] std::size_t busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
  }

  [[nodiscard]] std::size_t limit() const {
    std::lock_guard lock(mutex_);
    return limit_;
  }

 private:
  std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable_any room_changed_;
  std::condition_variable item_ready_;
  std::vector<std::deque<T>> items_;  // one queue per rank
  std::size_t waiting_ = 0;           // items in items_
  std::size_t busy_ = 0;
  bool closed_ = false;
};

}  // namespace errand::detail
