// The logging interface errand writes to. Plug in your own sink by implementing Logger;
// by default errand logs to stderr in Sidekiq's format.
#pragma once

#include <memory>
#include <string_view>

namespace errand {

enum class LogLevel { debug, info, warn, error };

/// A sink for errand's log lines. Implementations must be thread-safe.
class Logger {
 public:
  Logger() = default;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  virtual ~Logger() = default;

  virtual void log(LogLevel level, std::string_view message) = 0;

  /// False when lines at `level` would be dropped, so callers can skip building them.
  [[nodiscard]] virtual bool enabled(LogLevel /*level*/) const noexcept { return true; }

  void debug(std::string_view message) { log(LogLevel::debug, message); }
  void info(std::string_view message) { log(LogLevel::info, message); }
  void warn(std::string_view message) { log(LogLevel::warn, message); }
  void error(std::string_view message) { log(LogLevel::error, message); }
};

/// Logs to stderr: `2026-11-23T13:21:24.968Z pid=16806 tid=16807 INFO: message`.
/// Lines below `min_level` are dropped.
[[nodiscard]] std::shared_ptr<Logger> stderr_logger(LogLevel min_level = LogLevel::info);

/// Drops everything.
[[nodiscard]] std::shared_ptr<Logger> null_logger();

}  // namespace errand
