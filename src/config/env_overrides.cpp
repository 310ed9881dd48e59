// The environment on top of the file: REDIS_URL and DATABASE_URL as every Sidekiq and
// Roadster deployment sets them, and ERRAND_* for errand's own settings.
#include "config/queue_settings.hpp"
#include "config/settings.hpp"

#include <charconv>
#include <cstdint>

namespace errand::config {
namespace {

std::string origin(std::string_view variable) { return fmt::format("environment variable {}", variable); }

int parse_count(std::string_view variable, const std::string& text, std::string_view what, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    fail(origin(variable), "is \"{}\"; set it to {}, a whole number >= 1 (at most {})", text, what, max);
  }
  return value;
}

/// Seconds, as the file's durations: whole milliseconds, 0 or at least 1 ms (a
/// fraction of a millisecond would silently become 0).
std::chrono::milliseconds parse_seconds(std::string_view variable, const std::string& text) {
  double seconds = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !(seconds >= 0) || seconds > 365.0 * 24 * 3600) {
    fail(origin(variable), "is \"{}\"; set it to a number of seconds from 0 to a year, e.g. 25", text);
  }
  const auto ms = static_cast<std::int64_t>(seconds * 1000);
  if (seconds > 0 && ms < 1) {
    fail(origin(variable), "is \"{}\", less than a millisecond; set it to 0 or at least 0.001 (seconds)", text);
  }
  return std::chrono::milliseconds(ms);
}

SidekiqVersion parse_version(std::string_view variable, const std::string& text) {
  const std::string major = text.substr(0, text.find('.'));
  if (major == "6") return SidekiqVersion::v6;
  if (major == "7") return SidekiqVersion::v7;
  if (major == "8") return SidekiqVersion::v8;
  fail(origin(variable), "is \"{}\"; set it to 6, 7 or 8 (the Sidekiq whose Web UI reads this Redis)", text);
}

}  // namespace

void apply_environment(Settings& settings, const Environment& env) {
  if (auto url = env.get("REDIS_URL")) settings.sidekiq.url.set(std::move(*url), origin("REDIS_URL"));
  if (auto url = env.get("DATABASE_URL")) settings.database_uri.set(std::move(*url), origin("DATABASE_URL"));
  if (auto path = env.get("ERRAND_SQLITE_PATH")) {
    settings.sqlite.url.set("sqlite://" + *path, origin("ERRAND_SQLITE_PATH"));
  }
  if (const auto n = env.get("ERRAND_CONCURRENCY")) {
    settings.overrides.num_workers.set(parse_count("ERRAND_CONCURRENCY", *n, "the number of threads running jobs",
                                                   ProcessorOptions::max_concurrency),
                                       origin("ERRAND_CONCURRENCY"));
  }
  if (const auto queues = env.get("ERRAND_QUEUES")) {
    settings.overrides.queues.set(parse_queue_text(*queues, origin("ERRAND_QUEUES")), origin("ERRAND_QUEUES"));
  }
  if (const auto seconds = env.get("ERRAND_SHUTDOWN_TIMEOUT")) {
    settings.shutdown_timeout.set(parse_seconds("ERRAND_SHUTDOWN_TIMEOUT", *seconds),
                                  origin("ERRAND_SHUTDOWN_TIMEOUT"));
  }
  if (auto tag = env.get("ERRAND_TAG")) settings.tag.set(std::move(*tag), origin("ERRAND_TAG"));
  if (const auto version = env.get("ERRAND_SIDEKIQ_VERSION")) {
    settings.sidekiq_version.set(parse_version("ERRAND_SIDEKIQ_VERSION", *version), origin("ERRAND_SIDEKIQ_VERSION"));
  }
}

}  // namespace errand::config
