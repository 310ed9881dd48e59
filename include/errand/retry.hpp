// Choosing what happens to a failed job: Sidekiq's `sidekiq_retry_in`.
//
//   struct Charge : errand::Worker<Charge> {
//     static errand::RetryIn retry_in(std::int64_t count, const std::exception& error) {
//       if (dynamic_cast<const CardDeclined*>(&error)) return errand::RetryIn::kill();  // no point retrying
//       if (dynamic_cast<const RateLimited*>(&error)) return std::chrono::seconds(60 * (count + 1));
//       return errand::RetryIn::use_default();                                         // count⁴ + 15 + jitter
//     }
//     void perform(std::int64_t order_id);
//   };
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>

namespace errand {

class RetryIn {
 public:
  enum class Kind { default_delay, delay, exact_delay, discard, kill };

  /// Retry after `delay` plus Sidekiq's jitter (rand(10) × (count + 1) seconds).
  RetryIn(std::chrono::seconds delay) : kind_(Kind::delay), delay_(delay) {}  // NOLINT(google-explicit-constructor)
  /// Retry after exactly `delay`, no jitter.
  static RetryIn exactly(std::chrono::milliseconds delay) {
    RetryIn r(Kind::exact_delay);
    r.delay_ = delay;
    return r;
  }
  /// Sidekiq's default backoff.
  static RetryIn use_default() { return RetryIn(Kind::default_delay); }
  /// Drop the job now, without keeping it in the dead set.
  static RetryIn discard() { return RetryIn(Kind::discard); }
  /// Move the job to the dead set now.
  static RetryIn kill() { return RetryIn(Kind::kill); }

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] std::chrono::milliseconds delay() const noexcept { return delay_; }

 private:
  explicit RetryIn(Kind kind) : kind_(kind) {}
  Kind kind_;
  std::chrono::milliseconds delay_{0};
};

/// Decides a failed job's fate: `count` is its new retry_count (0 on the first failure).
using RetryInHook = std::function<RetryIn(std::int64_t count, const std::exception& error)>;

class Job;

/// Called about a failed job, with what it threw (an exception that is not a
/// std::exception arrives as an errand::Error saying so). Used for:
/// - a worker's `static void retries_exhausted(const Job&, const std::exception&)`:
///   when its job has no retries left (or retry_in said kill);
/// - RetryOptions::error_handlers: every failure, e.g. to report to an error tracker;
/// - RetryOptions::death_handlers: a job that will not run again (exhausted, killed,
///   or `retry: false`), after it was moved to the dead set or dropped.
/// A handler that throws is logged and ignored.
using JobErrorHandler = std::function<void(const Job& job, const std::exception& error)>;

}  // namespace errand
