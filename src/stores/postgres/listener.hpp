// One connection per store that LISTENs for pgmq's insert notifications and wakes the
// fetches waiting for work. It reconnects by itself; while it cannot, fetches still
// look for work every poll interval.
#pragma once

#include "postgres/pq.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace errand::pq {

class Listener {
 public:
  explicit Listener(std::string conninfo);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();

  /// Returns once the channels are listened to (or after `timeout`, if the server is
  /// unreachable), so that a fetch made next cannot miss a notification.
  void listen(const std::vector<std::string>& channels, std::chrono::milliseconds timeout);
  /// A number that changes whenever a notification arrives.
  [[nodiscard]] std::uint64_t generation();
  /// Waits until generation() differs from `seen`, `timeout` passes or `stop` fires.
  /// Returns true when woken by a notification.
  bool wait(std::uint64_t seen, std::chrono::milliseconds timeout, const std::stop_token& stop);
  /// Wakes every waiting fetch (an insert made by this process).
  void wake();

 private:
  void run(const std::stop_token& stop);
  /// LISTENs to the requested channels not yet listened to on `c`.
  void catch_up(Connection& c);
  void poke() const;

  std::string conninfo_;
  int event_fd_ = -1;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::set<std::string> wanted_;
  std::set<std::string> listening_;
  std::uint64_t generation_ = 0;
  std::jthread thread_;
};

}  // namespace errand::pq
