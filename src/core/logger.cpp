// The default log sinks. spdlog stays inside this file.
#include <errand/logger.hpp>

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace errand {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel min_level)
      : logger_("errand", std::make_shared<spdlog::sinks::stderr_sink_mt>()) {
    // Sidekiq's format: 2026-11-23T13:21:24.968Z pid=16806 tid=16807 INFO: message
    logger_.set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ pid=%P tid=%t %^%L%$: %v", spdlog::pattern_time_type::utc));
    logger_.set_level(to_spdlog(min_level));
  }
  void log(LogLevel level, std::string_view message) override {
    logger_.log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));
  }
  [[nodiscard]] bool enabled(LogLevel level) const noexcept override { return logger_.should_log(to_spdlog(level)); }

 private:
  spdlog::logger logger_;
};

class NullLogger final : public Logger {
 public:
  void log(LogLevel /*level*/, std::string_view /*message*/) override {}
  [[nodiscard]] bool enabled(LogLevel /*level*/) const noexcept override { return false; }
};

}  // namespace

std::shared_ptr<Logger> stderr_logger(LogLevel min_level) { return std::make_shared<StderrLogger>(min_level); }
std::shared_ptr<Logger> null_logger() { return std::make_shared<NullLogger>(); }

}  // namespace errand
