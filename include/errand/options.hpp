// Per-worker and per-enqueue job options, named as Sidekiq names them.
#pragma once

#include <errand/json.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace errand {

/// Sidekiq's `retry` option: `true` (up to the default 25 retries), `false` (no retry,
/// not kept in the dead set), or a count (0 = no retry, straight to the dead set).
class Retry {
 public:
  template <std::same_as<bool> B>
  Retry(B enabled) : value_(enabled) {}  // NOLINT(google-explicit-constructor)
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Retry(I max_retries) : value_(static_cast<std::int64_t>(max_retries)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] json::value to_json() const;
  friend bool operator==(const Retry&, const Retry&) = default;

 private:
  std::variant<bool, std::int64_t> value_;
};

/// Sidekiq's `backtrace` option: `true` (keep the whole backtrace), `false`, or a line count.
class Backtrace {
 public:
  template <std::same_as<bool> B>
  Backtrace(B enabled) : value_(enabled) {}  // NOLINT(google-explicit-constructor)
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  Backtrace(I lines) : value_(static_cast<std::int64_t>(lines)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] json::value to_json() const;
  friend bool operator==(const Backtrace&, const Backtrace&) = default;

 private:
  std::variant<bool, std::int64_t> value_;
};

/// Options for a job. A worker gives its defaults from `static JobOptions options()`;
/// `Client::with()` overrides them for one enqueue. Unset fields fall through.
/// How a job is written to its queue.
enum class JobFormat {
  sidekiq,   ///< Sidekiq's payload: {"class", "args", "jid", "queue", "retry", ...}
  /// Roadster's pgmq envelope, {"metadata": {"id", "worker_name"}, "args": ...}, so that a
  /// Roadster (Rust) worker runs it: `args` is the one argument itself (Roadster's Args
  /// struct), or the array of arguments when there are several.
  roadster,
};

struct JobOptions {
  // Every member has an initializer, so designated initializers such as
  // `{.queue = "mail"}` compile cleanly under -Wextra.
  std::optional<std::string> queue{};        ///< default "default"
  std::optional<Retry> retry{};              ///< default true (25 retries)
  std::optional<Backtrace> backtrace{};      ///< default: no backtrace kept
  std::optional<std::string> retry_queue{};  ///< retries go to this queue instead
  std::optional<bool> dead{};                ///< false: exhausted jobs are dropped, not kept as dead
  std::vector<std::string> tags{};           ///< labels shown by the Web UI
  std::optional<JobFormat> format{};         ///< default JobFormat::sidekiq
  /// How long one run may take before its stop token fires and the run fails with
  /// errand::JobTimeoutError (cooperative: see Context::stop_token). 0: no limit;
  /// negative: refused at enqueue (errand::ArgumentError).
  /// Default: ProcessorOptions::job_timeout. Written in the payload as `"timeout"`
  /// (seconds), so an override on one enqueue travels with the job.
  std::optional<std::chrono::milliseconds> timeout{};

  /// `overrides` on top of `*this`: every field set in `overrides` wins.
  [[nodiscard]] JobOptions merged_with(const JobOptions& overrides) const;
};

}  // namespace errand
