// The poller: moves due scheduled jobs and retries to their queues (Sidekiq's "Enq"),
// and gives back the jobs that a store's list says dead or stranded processes hold.
// It calls only what its store declares: job_schedule_due unless the store schedules
// itself, HeldJobs when the store has it.
#pragma once

#include <errand/logger.hpp>
#include <errand/processor.hpp>
#include <errand/store.hpp>

#include "core/stranded_jobs.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

namespace errand::detail {

class Poller {
 public:
  /// `held()` gives the payloads this process holds in memory (fetched, not finished);
  /// `transfers` is the fetcher's transfer counter (see StrandedJobs).
  Poller(Store& store, Logger& logger, const ProcessorOptions& options, std::string owner,
         std::function<std::vector<std::string>()> held, const std::atomic<std::uint64_t>& transfers)
      : store_(store), logger_(logger), options_(options), owner_(std::move(owner)), held_(std::move(held)),
        transfers_(transfers) {}

  /// Whether a store needs a poller at all: one that schedules itself and lists no held
  /// jobs (Postgres) has nothing for it to do.
  [[nodiscard]] static bool has_work(Store& store);

  /// Polls until `stop` fires, at Sidekiq's randomized interval (see ProcessorOptions).
  /// Each round also rescues the jobs of processes that died holding them.
  void run(std::stop_token stop);

 private:
  /// Moves everything due now; returns how many jobs moved.
  std::size_t enqueue_due();
  /// Gives back crashed processes' jobs, and this process's own stranded ones.
  void rescue();

  Store& store_;
  Logger& logger_;
  const ProcessorOptions& options_;
  std::string owner_;
  std::function<std::vector<std::string>()> held_;
  const std::atomic<std::uint64_t>& transfers_;
  StrandedJobs stranded_;
};

}  // namespace errand::detail
