// The fetcher: takes batches of jobs from the store and hands them to the worker threads.
#pragma once

#include <errand/logger.hpp>
#include <errand/queues.hpp>
#include <errand/store.hpp>

#include "core/handoff.hpp"

#include <stop_token>
#include <string>

namespace errand::detail {

class Fetcher {
 public:
  Fetcher(Store& store, const QueueList& queues, Handoff<FetchedJob>& handoff, Logger& logger, std::string owner)
      : store_(store), queues_(queues), handoff_(handoff), logger_(logger), owner_(std::move(owner)) {}

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
};

}  // namespace errand::detail
