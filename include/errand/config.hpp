// Configuration from a TOML file and the environment, with Roadster's key names.
//
//   const auto config = errand::Config::load();        // $ERRAND_CONFIG, else defaults; env on top
//   for (const auto& backend : config.backends) {
//     errand::Processor processor{errand::connect(backend.url), backend.processor};
//     ...
//   }
//
// Every key, its type and default: docs/configuration.md. Precedence: environment >
// file > defaults. Every problem is an errand::ConfigError naming the key, the file and
// line (or the environment variable), and what to do.
#pragma once

#include <errand/processor.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace errand {

/// Where configuration reads environment variables from. Inject one in tests instead
/// of changing the real process environment.
class Environment {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  explicit Environment(Lookup lookup);
  /// The real process environment (getenv).
  [[nodiscard]] static Environment process();
  /// Only these variables, e.g. `Environment::from_map({{"REDIS_URL", "redis://r:6379/0"}})`.
  [[nodiscard]] static Environment from_map(std::map<std::string, std::string, std::less<>> variables);

  /// The variable's value; nullopt when unset (an empty value counts as unset).
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;

 private:
  Lookup lookup_;
};

/// How jobs of one worker class run: Roadster's `worker-config`. Unset fields fall
/// through to the next level (the worker's own section, then `worker-config`, then
/// errand's defaults).
struct WorkerConfig {
  /// Whether `max_duration` is enforced (Roadster's `timeout`). Default true.
  std::optional<bool> timeout{};
  /// How long a job may run when `timeout` is on (Roadster's `max-duration`). Default 60 s.
  std::optional<std::chrono::milliseconds> max_duration{};
  /// Retries of a job whose `retry` option is `true` (Roadster's `max-retries`). Default 25.
  std::optional<int> max_retries{};

  /// `overrides` on top of `*this`: every field set in `overrides` wins.
  [[nodiscard]] WorkerConfig merged_with(const WorkerConfig& overrides) const;
};

/// One store to run a processor on.
struct BackendConfig {
  enum class Kind { redis, postgres, sqlite };
  Kind kind = Kind::sqlite;
  std::string url = "sqlite://errand.db";  ///< for errand::connect()
  ProcessorOptions processor{};

  /// Postgres only: how long a fetched job stays invisible to other processes
  /// (`service.worker.pg.visibility-timeout`; PostgresOptions::visibility_timeout, 30 s)
  /// and whether finished jobs go to pgmq's archive table instead of being deleted
  /// (Roadster's `service.worker.worker-config.pg.success-action = "archive"`;
  /// PostgresOptions::on_success).
  std::optional<std::chrono::seconds> visibility_timeout{};
  std::optional<bool> archive_on_success{};
};

/// Opens `backend`'s store: errand::connect(backend.url) with the backend's store
/// settings applied. (Defined in errand::errand, which has every store.)
[[nodiscard]] std::shared_ptr<Store> connect(const BackendConfig& backend);

struct Config {
  /// Redis, then Postgres, then SQLite, each when configured. SQLite ("errand.db")
  /// alone when neither Redis nor Postgres is. Two at once is how a worker moves from
  /// one store to another: register it on both processors until the old store drains.
  std::vector<BackendConfig> backends{BackendConfig{}};
  /// `service.worker.worker-config`: the defaults of every worker.
  WorkerConfig worker_defaults{};
  /// `service.worker.workers.<class name>`: one worker's overrides, by job class.
  std::map<std::string, WorkerConfig, std::less<>> workers{};

  /// The settings for jobs of `class_name`: its overrides on top of `worker_defaults`
  /// on top of errand's defaults, every field set.
  [[nodiscard]] WorkerConfig worker(std::string_view class_name) const;
  /// How long a job of `class_name` may run; nullopt when its timeout is off.
  [[nodiscard]] std::optional<std::chrono::milliseconds> job_timeout(std::string_view class_name) const;
  /// The same for classes without their own settings (`worker-config`); every backend's
  /// ProcessorOptions::job_timeout is set to it.
  [[nodiscard]] std::optional<std::chrono::milliseconds> default_job_timeout() const;

  /// The file named by ERRAND_CONFIG when set, else the defaults; the environment on top.
  [[nodiscard]] static Config load(const Environment& env = Environment::process());
  /// `path` (TOML), the environment on top.
  [[nodiscard]] static Config from_toml_file(const std::filesystem::path& path,
                                             const Environment& env = Environment::process());
  /// `toml` as if read from a file called `source_name` (used in error messages).
  [[nodiscard]] static Config from_toml_string(std::string_view toml, std::string_view source_name,
                                               const Environment& env = Environment::process());
};

}  // namespace errand
