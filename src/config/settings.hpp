// The configuration as read, before defaults: each value with where it came from, so a
// problem found later (a bad URL, conflicting keys) can still point at its line.
#pragma once

#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/queues.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace errand::config {

/// A value and its origin: "errand.toml:7: service.sidekiq.num-workers" or
/// "environment variable ERRAND_CONCURRENCY".
template <class T>
struct Setting {
  std::optional<T> value{};
  std::string origin{};

  void set(T v, std::string from) {
    value = std::move(v);
    origin = std::move(from);
  }
  [[nodiscard]] bool has_value() const noexcept { return value.has_value(); }
};

/// The first of `settings` that has a value, or null.
template <class T, class... Rest>
const Setting<T>* first_set(const Setting<T>& first, const Rest&... rest) {
  if (first.has_value()) return &first;
  if constexpr (sizeof...(rest) > 0) {
    return first_set<T>(rest...);
  } else {
    return nullptr;
  }
}

/// Roadster's `balance-strategy`.
enum class BalanceStrategy { round_robin, none };

/// The keys every store section has (and `[service.worker]`, as defaults for all).
struct BackendSettings {
  std::string section{};   ///< "service.sidekiq", for messages
  std::string origin{};    ///< where the section starts, when present in the file
  bool present = false;    ///< the section is in the file
  Setting<bool> enable{};
  Setting<int> num_workers{};
  Setting<QueueList> queues{};
  Setting<BalanceStrategy> balance{};
  Setting<std::string> url{};  ///< redis.uri, database.uri, or sqlite's path/uri as a URL
};

/// `[service.sidekiq.redis]` besides `uri`: RedisOptions the URL's query could also hold.
struct RedisSettings {
  Setting<std::string> key_namespace{};    ///< namespace
  Setting<std::int64_t> pool_size{};       ///< enqueue-pool.max-connections (Roadster's)
  Setting<std::int64_t> fetch_pool_size{}; ///< fetch-pool.max-connections (Roadster's)
  Setting<std::string> ca_file{};          ///< tls.ca-file
  Setting<std::string> cert_file{};        ///< tls.cert-file
  Setting<std::string> key_file{};         ///< tls.key-file
  Setting<bool> verify_peer{};             ///< tls.verify-peer
};

struct Settings {
  BackendSettings overrides{};  ///< from ERRAND_CONCURRENCY / ERRAND_QUEUES: win over every section
  BackendSettings shared{};     ///< [service.worker]
  BackendSettings sidekiq{};
  RedisSettings redis{};
  BackendSettings pg{};
  BackendSettings sqlite{};
  Setting<std::string> database_uri{};  ///< top-level database.uri, Postgres's fallback
  Setting<std::chrono::seconds> pg_visibility_timeout{};  ///< service.worker.pg.visibility-timeout
  Setting<bool> pg_archive_on_success{};  ///< service.worker.worker-config.pg.success-action = "archive"

  Setting<SidekiqVersion> sidekiq_version{};
  Setting<std::chrono::milliseconds> shutdown_timeout{};
  Setting<std::chrono::milliseconds> average_scheduled_poll_interval{};
  Setting<std::chrono::milliseconds> poll_interval_average{};
  Setting<std::chrono::milliseconds> heartbeat_interval{};
  Setting<std::string> tag{};
  Setting<std::vector<std::string>> labels{};
  Setting<std::int64_t> dead_max_jobs{};
  Setting<std::chrono::seconds> dead_timeout{};

  WorkerConfig worker_defaults{};
  std::map<std::string, WorkerConfig, std::less<>> workers{};
};

/// Throws ConfigError "errand: <origin>: <what>", or "errand: <origin> <what>" when
/// `what` says something about the key ("must be ...", "is ...") so it reads as a sentence.
template <class... Args>
[[noreturn]] void fail(std::string_view origin, fmt::format_string<Args...> what, Args&&... args) {
  const std::string text = fmt::format(what, std::forward<Args>(args)...);
  const bool predicate = text.starts_with("must ") || text.starts_with("is ") || text.starts_with("has ") ||
                         text.starts_with("and ") || text.starts_with("lists ");
  throw ConfigError(fmt::format("errand: {}{}{}", origin, predicate ? " " : ": ", text));
}

/// Reads the TOML text into settings (see file_settings.cpp).
[[nodiscard]] Settings read_toml(std::string_view toml, std::string_view source_name);
/// Puts the environment's variables on top (see env_overrides.cpp).
void apply_environment(Settings& settings, const Environment& env);
/// `url` with `redis`'s settings added to its query, as RedisOptions::from_url reads
/// them; throws ConfigError for a setting that the URL sets too, or a TLS setting on a
/// redis:// URL (see redis_url_settings.cpp).
[[nodiscard]] std::string redis_url_with(const Setting<std::string>& url, const RedisSettings& redis,
                                         const Setting<SidekiqVersion>& version);
/// Defaults filled in, cross-checks done (see resolve.cpp).
[[nodiscard]] Config resolve(const Settings& settings);

}  // namespace errand::config
