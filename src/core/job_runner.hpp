// Runs one fetched job: parse, find its worker, run middleware and perform, record the outcome.
#pragma once

#include <errand/logger.hpp>
#include <errand/middleware.hpp>
#include <errand/registry.hpp>
#include <errand/store.hpp>

#include "core/completions.hpp"
#include "core/deadlines.hpp"
#include "core/retrier.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>

namespace errand::detail {

struct Counters {
  std::atomic<std::uint64_t> processed{0};
  std::atomic<std::uint64_t> failed{0};
};

class JobRunner {
 public:
  /// Successes are acknowledged through `completions` (in batches); failures through
  /// `retrier`. Jobs with a timeout (their payload's, their worker's, else
  /// `default_timeout`) are stopped by `deadlines`.
  JobRunner(const WorkerRegistry& registry, const ServerMiddlewareChain& middleware, Retrier& retrier,
            Completions& completions, Deadlines& deadlines, std::optional<std::chrono::milliseconds> default_timeout,
            Logger& logger, Counters& counters)
      : registry_(registry), middleware_(middleware), retrier_(retrier), completions_(completions),
        deadlines_(deadlines), default_timeout_(default_timeout), logger_(logger), counters_(counters) {}

  /// Runs `fetched`. Before recording the outcome it calls `claim_outcome()`: false means
  /// shutdown already pushed the job back: a failure, or a return after the job consulted
  /// its stop token (it may have stopped early), is not recorded and the job runs again;
  /// a return from a job that never consulted it removes the pushed-back copy where the
  /// store can (see Context::stop_token); true means the
  /// outcome is this call's to record (shutdown then leaves the job alone).
  /// Every failure of the job ends in retry or dead; an exception escapes only when
  /// even that could not be recorded (the caller then pushes the job back).
  void run(const FetchedJob& fetched, std::stop_token stop, const std::function<bool()>& claim_outcome);

 private:
  const WorkerRegistry& registry_;
  const ServerMiddlewareChain& middleware_;
  Retrier& retrier_;
  Completions& completions_;
  Deadlines& deadlines_;
  std::optional<std::chrono::milliseconds> default_timeout_;
  Logger& logger_;
  Counters& counters_;
};

}  // namespace errand::detail
