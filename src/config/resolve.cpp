// From settings as read to the Config applications use: defaults filled in, the stores
// chosen, URLs checked. Precedence is decided here: environment > file > defaults.
#include "config/settings.hpp"

#include <errand/postgres.hpp>
#include <errand/redis.hpp>
#include <errand/sqlite.hpp>

#include "stores/kit/url_secrets.hpp"

namespace errand::config {
namespace {

// Sidekiq's own defaults: 10 threads, 5 from Sidekiq 7 on.
constexpr int default_concurrency = 10;
constexpr int sidekiq7_default_concurrency = 5;

std::string_view without_errand_prefix(std::string_view message) {
  constexpr std::string_view prefix = "errand: ";
  if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
  return message;
}

/// Rethrows a store's URL error with the key or variable that holds the URL.
template <class Parse>
void check_url(const Setting<std::string>& url, Parse parse) {
  try {
    (void)parse(*url.value);
  } catch (const ConfigError& e) {
    fail(url.origin, "{}", without_errand_prefix(e.what()));
  }
}

bool is_postgres(std::string_view url) { return url.starts_with("postgres://") || url.starts_with("postgresql://"); }

QueueList queues_for(const Settings& s, const BackendSettings& backend) {
  const auto* queues = first_set(s.overrides.queues, backend.queues, s.shared.queues);
  const auto* balance = first_set(backend.balance, s.shared.balance);
  QueueList list = queues != nullptr ? *queues->value : QueueList{"default"};
  if (balance == nullptr) return list;
  if (*balance->value == BalanceStrategy::none && list.mode() == QueueList::Mode::weighted) {
    fail(balance->origin, "is \"none\" (strict order), but the queues ({}) have weights; drop the weights or the "
                          "balance-strategy",
         queues->origin);
  }
  if (*balance->value == BalanceStrategy::round_robin && list.mode() == QueueList::Mode::strict) {
    std::vector<std::pair<std::string, int>> equal;
    for (const auto& name : list.names()) equal.emplace_back(name, 1);
    return QueueList::weighted(std::move(equal));
  }
  return list;
}

ProcessorOptions processor_for(const Settings& s, const BackendSettings& backend, BackendConfig::Kind kind) {
  ProcessorOptions options;
  const bool sidekiq7 = kind == BackendConfig::Kind::redis && s.sidekiq_version.has_value() &&
                        *s.sidekiq_version.value >= SidekiqVersion::v7;
  const auto* workers = first_set(s.overrides.num_workers, backend.num_workers, s.shared.num_workers);
  options.concurrency = workers != nullptr ? *workers->value : sidekiq7 ? sidekiq7_default_concurrency : default_concurrency;
  options.queues = queues_for(s, backend);
  if (s.shutdown_timeout.has_value()) options.shutdown_timeout = *s.shutdown_timeout.value;
  if (s.average_scheduled_poll_interval.has_value()) {
    options.average_scheduled_poll_interval = *s.average_scheduled_poll_interval.value;
  }
  if (s.poll_interval_average.has_value()) options.poll_interval_average = *s.poll_interval_average.value;
  if (s.heartbeat_interval.has_value()) options.heartbeat_interval = *s.heartbeat_interval.value;
  if (s.tag.has_value()) options.tag = *s.tag.value;
  if (s.labels.has_value()) options.labels = *s.labels.value;
  if (s.dead_max_jobs.has_value()) options.retry.dead.max_jobs = static_cast<std::size_t>(*s.dead_max_jobs.value);
  if (s.dead_timeout.has_value()) options.retry.dead.max_age = *s.dead_timeout.value;
  if (s.worker_defaults.max_retries) options.retry.max_retries = *s.worker_defaults.max_retries;
  return options;
}

/// Postgres's queues are pgmq tables: names the store would refuse when the processor
/// starts are refused now, with the key (or variable) that lists them.
void check_pgmq_queue_names(const Settings& s, const QueueList& queues) {
  const auto* listed = first_set(s.overrides.queues, s.pg.queues, s.shared.queues);
  for (const auto& name : queues.names()) {
    try {
      validate_pgmq_queue_name(name);
    } catch (const ArgumentError& e) {
      fail(listed != nullptr ? listed->origin : std::string("the default queue list"), "{}", without_errand_prefix(e.what()));
    }
  }
}

bool enabled(const BackendSettings& backend) { return !backend.enable.has_value() || *backend.enable.value; }

void add_redis(const Settings& s, Config& config) {
  if (!enabled(s.sidekiq)) return;
  if (!s.sidekiq.url.has_value()) {
    if (!s.sidekiq.present) return;
    fail(s.sidekiq.origin, "has no Redis URL; set redis.uri = \"redis://host:6379/0\" in it (or REDIS_URL), or "
                           "enable = false");
  }
  const std::string& given = *s.sidekiq.url.value;
  if (!given.starts_with("redis://") && !given.starts_with("rediss://")) {
    fail(s.sidekiq.url.origin, "is \"{}\", not a Redis URL; use redis://[user:password@]host[:port][/db] (rediss:// "
                               "for TLS)",
         detail::masked_url(given));
  }
  check_url(s.sidekiq.url, RedisOptions::from_url);
  Setting<std::string> url = s.sidekiq.url;
  url.value = redis_url_with(s.sidekiq.url, s.redis, s.sidekiq_version);
  check_url(url, RedisOptions::from_url);
  config.backends.push_back(
      {BackendConfig::Kind::redis, *url.value, processor_for(s, s.sidekiq, BackendConfig::Kind::redis)});
}

void add_postgres(const Settings& s, Config& config) {
  if (!enabled(s.pg)) return;
  // Roadster's rule: the worker's own database.uri, else the app's database.uri.
  const Setting<std::string>& url = s.pg.url.has_value() ? s.pg.url : s.database_uri;
  const bool asked_for = s.pg.present || s.pg.url.has_value();
  if (!url.has_value()) {
    if (!asked_for) return;
    fail(s.pg.origin, "has no database URL; set database.uri = \"postgres://user:password@host:5432/db\" in it, "
                      "or the top-level database.uri (or DATABASE_URL), or enable = false");
  }
  if (!is_postgres(*url.value)) {
    // database.uri alone may name the app's own non-Postgres database: no Postgres store then.
    if (!asked_for) return;
    fail(url.origin, "is \"{}\", not a Postgres URL, and service.worker.pg uses it; use "
                     "postgres://user:password@host:5432/db (or postgresql://)",
         detail::masked_url(*url.value));
  }
  BackendConfig backend{BackendConfig::Kind::postgres, *url.value, processor_for(s, s.pg, BackendConfig::Kind::postgres)};
  check_pgmq_queue_names(s, backend.processor.queues);
  backend.visibility_timeout = s.pg_visibility_timeout.value;
  backend.archive_on_success = s.pg_archive_on_success.value;
  config.backends.push_back(std::move(backend));
}

void add_sqlite(const Settings& s, Config& config) {
  if (!enabled(s.sqlite)) return;
  const bool asked_for = s.sqlite.present || s.sqlite.url.has_value();
  if (!asked_for && !config.backends.empty()) return;  // the embedded store is only the default
  std::string url = "sqlite://errand.db";
  if (s.sqlite.url.has_value()) {
    if (!s.sqlite.url.value->starts_with("sqlite://")) {
      fail(s.sqlite.url.origin, "is \"{}\", not a SQLite URL; use sqlite://path/to/file.db (or path = \"file.db\")",
           detail::masked_url(*s.sqlite.url.value));
    }
    check_url(s.sqlite.url, SqliteOptions::from_url);
    url = *s.sqlite.url.value;
  }
  config.backends.push_back(
      {BackendConfig::Kind::sqlite, std::move(url), processor_for(s, s.sqlite, BackendConfig::Kind::sqlite)});
}

}  // namespace

Config resolve(const Settings& settings) {
  Config config;
  config.backends.clear();
  add_redis(settings, config);
  add_postgres(settings, config);
  add_sqlite(settings, config);
  if (config.backends.empty()) {
    throw ConfigError(fmt::format("errand: no store is enabled: SQLite is turned off ({}) and no Redis or Postgres "
                                  "URL is set; set service.sidekiq.redis.uri (or REDIS_URL) or database.uri (or "
                                  "DATABASE_URL), or remove that enable = false",
                                  settings.sqlite.enable.origin));
  }
  config.worker_defaults = settings.worker_defaults;
  config.workers = settings.workers;
  for (auto& backend : config.backends) backend.processor.job_timeout = config.default_job_timeout();
  return config;
}

}  // namespace errand::config
