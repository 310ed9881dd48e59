// What a running job can see about itself.
#pragma once

#include <errand/job.hpp>
#include <errand/logger.hpp>

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string_view>

namespace errand {

class Context {
 public:
  Context(const Job& job, Logger& logger, std::stop_token stop) noexcept
      : job_(&job), logger_(&logger), stop_(std::move(stop)) {}

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
  /// timeout the run counts as failed (errand::JobTimeoutError) however it ends.
  [[nodiscard]] std::stop_token stop_token() const noexcept { return stop_; }
  [[nodiscard]] bool stop_requested() const noexcept { return stop_.stop_requested(); }

 private:
  const Job* job_;
  Logger* logger_;
  std::stop_token stop_;
};

}  // namespace errand
