// The poller: moves due scheduled jobs and retries to their queues (Sidekiq's "Enq").
#pragma once

#include <errand/logger.hpp>
#include <errand/processor.hpp>
#include <errand/store.hpp>

#include <stop_token>
#include <string>

namespace errand::detail {

class Poller {
 public:
  Poller(Store& store, Logger& logger, const ProcessorOptions& options, std::string owner)
      : store_(store), logger_(logger), options_(options), owner_(std::move(owner)) {}

  /// Polls until `stop` fires, at Sidekiq's randomized interval (see ProcessorOptions).
  /// Each round also rescues the jobs of processes that died holding them.
  void run(std::stop_token stop);

 private:
  /// Moves everything due now; returns how many jobs moved.
  std::size_t enqueue_due();

  Store& store_;
  Logger& logger_;
  const ProcessorOptions& options_;
  std::string owner_;
};

}  // namespace errand::detail
