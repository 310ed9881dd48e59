// errand::Config's entry points: file or string, then the environment, then defaults.
#include "config/settings.hpp"

#include <cerrno>
#include <system_error>
#include <fstream>
#include <sstream>

namespace errand {
namespace {

// Roadster's defaults for a worker: a 60 s timeout, enforced; Sidekiq's 25 retries.
const WorkerConfig& builtin_worker_defaults() {
  static const WorkerConfig defaults{.timeout = true, .max_duration = std::chrono::seconds(60), .max_retries = 25};
  return defaults;
}

}  // namespace

WorkerConfig WorkerConfig::merged_with(const WorkerConfig& overrides) const {
  WorkerConfig out = *this;
  if (overrides.timeout) out.timeout = overrides.timeout;
  if (overrides.max_duration) out.max_duration = overrides.max_duration;
  if (overrides.max_retries) out.max_retries = overrides.max_retries;
  return out;
}

WorkerConfig Config::worker(std::string_view class_name) const {
  WorkerConfig out = builtin_worker_defaults().merged_with(worker_defaults);
  if (const auto it = workers.find(class_name); it != workers.end()) out = out.merged_with(it->second);
  return out;
}

namespace {
std::optional<std::chrono::milliseconds> timeout_of(const WorkerConfig& settings) {
  if (!*settings.timeout) return std::nullopt;
  return *settings.max_duration;
}
}  // namespace

std::optional<std::chrono::milliseconds> Config::job_timeout(std::string_view class_name) const {
  return timeout_of(worker(class_name));
}

std::optional<std::chrono::milliseconds> Config::default_job_timeout() const {
  return timeout_of(builtin_worker_defaults().merged_with(worker_defaults));
}

Config Config::load(const Environment& env) {
  if (const auto path = env.get("ERRAND_CONFIG")) return from_toml_file(*path, env);
  config::Settings settings;
  config::apply_environment(settings, env);
  return config::resolve(settings);
}

Config Config::from_toml_file(const std::filesystem::path& path, const Environment& env) {
  std::error_code ec;
  std::string problem;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    problem = std::error_code(errno, std::generic_category()).message();
  } else if (std::filesystem::is_directory(path, ec)) {
    problem = "it is a directory";
  }
  if (!problem.empty()) {
    throw ConfigError(fmt::format("errand: cannot read config file {}: {}; check the path (ERRAND_CONFIG or the "
                                  "argument given)",
                                  path.string(), problem));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return from_toml_string(text.str(), path.string(), env);
}

Config Config::from_toml_string(std::string_view toml, std::string_view source_name, const Environment& env) {
  config::Settings settings = config::read_toml(toml, source_name);
  config::apply_environment(settings, env);
  return config::resolve(settings);
}

}  // namespace errand
