// What a running job can see about itself.
#pragma once

#include <errand/job.hpp>
#include <errand/logger.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string_view>

namespace errand {

class Context {
 public:
  Context(const Job& job, Logger& logger, std::stop_token stop) noexcept
      : job_(&job), logger_(&logger), stop_(std::move(stop)) {}
  Context(const Context& other) noexcept
      : job_(other.job_), logger_(other.logger_), stop_(other.stop_), consulted_stop_(other.consulted_stop()) {}
  Context& operator=(const Context& other) noexcept {
    job_ = other.job_;
    logger_ = other.logger_;
    stop_ = other.stop_;
    consulted_stop_.store(other.consulted_stop(), std::memory_order_relaxed);
    return *this;
  }
  ~Context() = default;

  [[nodiscard]] std::string_view jid() const noexcept { return job_->jid(); }
  [[nodiscard]] std::string_view queue() const noexcept { return job_->queue(); }
  [[nodiscard]] std::string_view class_name() const noexcept { return job_->class_name(); }

  /// Sidekiq's `retry_count`: nullopt on the first run, 0 on the first retry, then 1, 2, ...
  [[nodiscard]] std::optional<std::int64_t> retry_count() const noexcept { return job_->retry_count(); }
  /// 1 on the first run, 2 on the first retry, ...
  [[nodiscard]] std::int64_t attempt() const noexcept {
    const auto count = retry_count();
    return count ? *count + 2 : 1;
  }

  /// The whole payload, including fields errand does not interpret.
  [[nodiscard]] const Job& job() const noexcept { return *job_; }

  /// A logger whose lines carry this job's class and jid.
  [[nodiscard]] Logger& logger() const noexcept { return *logger_; }

  /// Fires when the job runs past its own timeout (JobOptions::timeout), or when the
  /// processor shuts down past its shutdown timeout: finish or give up quickly. After a
  /// timeout the run counts as failed (errand::JobTimeoutError) however it ends. After a
  /// shutdown timeout the job is already back in its queue, to run again: a job that may
  /// have seen the stop (it took its stop_token(), or stop_requested() said true) and
  /// returns counts as interrupted, while one that cannot have and returns has finished
  /// its work, and takes its pushed-back copy out of the queue again where the store can.
  [[nodiscard]] std::stop_token stop_token() const noexcept {
    consulted_stop_.store(true, std::memory_order_relaxed);
    return stop_;
  }
  [[nodiscard]] bool stop_requested() const noexcept {
    const bool requested = stop_.stop_requested();
    if (requested) consulted_stop_.store(true, std::memory_order_relaxed);
    return requested;
  }
  /// Whether the job may have seen a stop: it took its stop_token(), or stop_requested()
  /// returned true.
  [[nodiscard]] bool consulted_stop() const noexcept { return consulted_stop_.load(std::memory_order_relaxed); }

 private:
  const Job* job_;
  Logger* logger_;
  std::stop_token stop_;
  mutable std::atomic<bool> consulted_stop_{false};  // may be asked from any thread the job hands ctx to
};

}  // namespace errand
