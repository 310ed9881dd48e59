// What happens to a job that failed: Sidekiq's retry rules, written once for every store.
#pragma once

#include <errand/job.hpp>
#include <errand/logger.hpp>
#include <errand/options.hpp>
#include <errand/processor.hpp>
#include <errand/registry.hpp>
#include <errand/retry.hpp>
#include <errand/store.hpp>

#include <chrono>
#include <exception>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace errand::detail {

/// The fate of a failed job under Sidekiq's rules.
struct RetryDecision {
  enum class Action { retry, kill, discard } action;
  std::int64_t retry_count;  ///< the job's new retry_count
  /// Why it will not be retried (when it will not): decides which handlers run.
  enum class Reason { retrying, exhausted, retry_disabled, hook_discarded } reason = Reason::retrying;
};

/// What failed: the exception (for retry_in hooks) and how it is recorded.
struct Failure {
  std::exception_ptr error;
  std::string error_class;
  std::string error_message;
  std::vector<std::string> backtrace;  ///< where it was thrown, when the job asked for it
};

/// Decides from the job's `retry` (else the worker's option, else true) and its
/// retry_count. `retry: false` discards, `retry: 0` kills at once, `retry: N` allows N
/// retries, `true` allows `default_max`. An exhausted job is killed unless `dead: false`.
[[nodiscard]] RetryDecision decide_retry(const Job& job, const JobOptions* worker_options, int default_max);

/// Sidekiq's default delay before retry number `count` (0-based): count⁴ + 15 + jitter,
/// jitter = rand(10) × (count + 1) seconds; capped at ten years.
[[nodiscard]] std::chrono::seconds default_retry_delay(std::int64_t count, std::mt19937_64& rng);

/// Applies a worker's retry_in hook to a decision to retry: it may change the delay, or
/// turn the retry into a kill or a discard. A hook that throws leaves the default.
[[nodiscard]] RetryDecision apply_retry_in(RetryDecision decision, const RetryInHook& hook,
                                           const std::exception_ptr& error, std::chrono::milliseconds& delay,
                                           std::mt19937_64& rng);

/// Applies the retry rules and writes the outcome to the store.
class Retrier {
 public:
  Retrier(Store& store, Logger& logger, const ProcessorOptions& options, std::string owner);

  /// A job that failed: records the error fields and retries, kills or discards it.
  /// A failure that cannot be recorded never sends the job back to the front of its
  /// queue to fail the same way: a payload that cannot be written back, or that the
  /// store refuses for good (PayloadError, ArgumentError, ConfigError), goes to the dead
  /// set as fetched; a write that failed for the moment puts the job as fetched in the
  /// retry set at the same time; when that fails too, see leave_for_later.
  void job_failed(const FetchedJob& fetched, Job job, const WorkerRegistry::Entry* worker, const Failure& failure);

  /// A payload that is not a JSON object: to the dead set as it is, as Sidekiq does.
  void payload_unreadable(const FetchedJob& fetched, std::string_view reason);

 private:
  void record_error(Job& job, const FetchedJob& fetched, const RetryDecision& decision, const Failure& failure,
                    TimePoint now) const;
  /// The queue a failed job retries in: its `retry_queue` if this store can hold that
  /// name, else the queue it was fetched from.
  std::string retry_queue_of(const Job& job, const FetchedJob& fetched) const;
  /// To the dead set as fetched, else leave_for_later; logs `why` once.
  void kill_verbatim(const FetchedJob& fetched, std::string_view why);
  /// To the retry set as fetched, else leave_for_later; logs `why` once.
  void retry_verbatim(const FetchedJob& fetched, TimePoint at, std::string_view why);
  /// The last resort, when the store took nothing: with reliable fetch the job stays in
  /// progress and comes back seconds later (never at once); otherwise it is pushed back
  /// to its queue. Logs `why` once.
  void leave_for_later(const FetchedJob& fetched, std::string_view why);
  /// Runs the error, retries-exhausted and death handlers that Sidekiq would run.
  void run_handlers(const Job& job, const WorkerRegistry::Entry* worker, const RetryDecision& decision,
                    const Failure& failure);

  Store& store_;
  Logger& logger_;
  const ProcessorOptions& options_;
  std::string owner_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace errand::detail
