// The poller: moves due scheduled jobs and retries to their queues (Sidekiq's "Enq").
#pragma once

#include <errand/logger.hpp>
#include <errand/processor.hpp>
#include <errand/store.hpp>

#include <stop_token>

namespace errand::detail {

class Poller {
 public:
  Poller(Store& store, Logger& logger, const ProcessorOptions& options)
      : store_(store), logger_(logger), options_(options) {}

  /// Polls until `stop` fires, at Sidekiq's randomized interval (see ProcessorOptions).
  void run(std::stop_token stop);

 private:
  /// Moves everything due now; returns how many jobs moved.
  std::size_t enqueue_due();

  Store& store_;
  Logger& logger_;
  const ProcessorOptions& options_;
};

}  // namespace errand::detail
