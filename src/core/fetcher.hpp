// The fetcher: takes batches of jobs from the store and hands them to the worker threads.
#pragma once

#include <errand/logger.hpp>
#include <errand/queues.hpp>
#include <errand/store.hpp>

#include "core/handoff.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace errand::detail {

class Fetcher {
 public:
  /// `transfers` counts hand-overs: bumped when a fetch starts (odd) and when its jobs
  /// are in the hand-off or back in the store (even). See StrandedJobs.
  /// `registered(stop)` blocks until the process is registered in the store (its first
  /// heartbeat): a job fetched before that would belong to an owner that other processes
  /// cannot tell from a dead one. It returns false when `stop` fires first.
  Fetcher(Store& store, const QueueList& queues, Handoff<FetchedJob>& handoff, Logger& logger, std::string owner,
          std::atomic<std::uint64_t>& transfers, std::function<bool(std::stop_token)> registered)
      : store_(store), queues_(queues), handoff_(handoff), logger_(logger), owner_(std::move(owner)),
        transfers_(transfers), registered_(std::move(registered)) {}

  /// How many ranks the hand-off needs for `queues` (see Handoff): one per queue in
  /// strict order, one for weighted queues.
  [[nodiscard]] static std::size_t ranks(const QueueList& queues);

  /// Jobs one fetch takes when `room` fit. With several queues in strict order, at most
  /// 100: a job that arrives on a more urgent queue waits for the fetch in flight, and
  /// smaller fetches keep that short (the ranked hand-off runs it next once fetched).
  /// Otherwise all there is room for.
  [[nodiscard]] static std::size_t fetch_size(const QueueList& queues, std::size_t room);

  /// Fetches until `stop` fires or the hand-off closes. Store errors are logged and
  /// retried with exponential backoff (0.1 s doubling to 5 s). Jobs fetched after the
  /// stop are pushed back to their queues.
  void run(std::stop_token stop);

 private:
  Store& store_;
  const QueueList& queues_;
  Handoff<FetchedJob>& handoff_;
  Logger& logger_;
  std::string owner_;
  std::atomic<std::uint64_t>& transfers_;
  std::function<bool(std::stop_token)> registered_;
};

}  // namespace errand::detail
