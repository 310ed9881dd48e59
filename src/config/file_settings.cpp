// Which keys the TOML file may hold, and their types: every key errand reads is read
// here, so this file is also the list the unknown-key check compares against.
#include "config/queue_settings.hpp"
#include "config/settings.hpp"
#include "config/toml_reader.hpp"

#include <limits>

namespace errand::config {
namespace {

constexpr std::int64_t max_int = std::numeric_limits<int>::max();

BalanceStrategy read_balance(TomlReader& reader, const Path& path, const toml::node& node, std::string_view value) {
  if (value == "round-robin") return BalanceStrategy::round_robin;
  if (value == "none") return BalanceStrategy::none;
  fail(reader.origin(node, path), "is \"{}\"; use \"none\" (strict order) or \"round-robin\" (equal weights)", value);
}

/// The keys every store section shares, and `[service.worker]` as defaults for all.
void read_common(TomlReader& reader, const Path& base, BackendSettings& out) {
  out.section = to_string(base);
  const Path workers = child(base, "num-workers");
  if (const auto n = reader.integer(workers, 1, ProcessorOptions::max_concurrency)) {
    out.num_workers.set(static_cast<int>(*n), reader.origin(workers));
  }
  const Path queues = child(base, "queues");
  if (auto list = read_queues(reader, queues)) out.queues.set(std::move(*list), reader.origin(queues));
  const Path balance = child(base, "balance-strategy");
  if (const auto text = reader.string(balance)) {
    const toml::node& node = *reader.lookup(balance);
    out.balance.set(read_balance(reader, balance, node, *text), reader.origin(node, balance));
  }
}

BackendSettings read_store(TomlReader& reader, const Path& base) {
  BackendSettings out;
  out.present = reader.table(base);
  if (out.present) out.origin = reader.origin(base);
  read_common(reader, base, out);
  const Path enable = child(base, "enable");
  if (const auto on = reader.boolean(enable)) out.enable.set(*on, reader.origin(enable));
  return out;
}

void read_url(TomlReader& reader, const Path& path, BackendSettings& out) {
  if (const auto uri = reader.string(path)) out.url.set(*uri, reader.origin(path));
}

void read_sqlite_location(TomlReader& reader, const Path& base, BackendSettings& out) {
  const Path path_key = child(base, "path");
  const Path uri_key = child(base, "uri");
  const auto path = reader.string(path_key);
  read_url(reader, uri_key, out);
  if (path && out.url.has_value()) {
    fail(reader.origin(path_key), "and {} are both set; keep one (path = \"errand.db\")",
         to_string(uri_key));
  }
  if (path) {
    if (path->empty()) fail(reader.origin(path_key), "is empty; name the database file");
    out.url.set("sqlite://" + *path, reader.origin(path_key));
  }
}

/// `[service.sidekiq.redis]` besides `uri`: the key namespace, Roadster's pool sizes, TLS.
RedisSettings read_redis(TomlReader& reader, const Path& base) {
  RedisSettings out;
  const Path key_namespace = child(base, "namespace");
  if (auto text = reader.string(key_namespace)) out.key_namespace.set(std::move(*text), reader.origin(key_namespace));
  const auto pool = [&](std::string_view name, Setting<std::int64_t>& setting) {
    const Path path = child(child(base, name), "max-connections");
    if (const auto n = reader.integer(path, 1, 10'000)) setting.set(*n, reader.origin(path));
  };
  pool("enqueue-pool", out.pool_size);
  pool("fetch-pool", out.fetch_pool_size);
  const Path tls = child(base, "tls");
  const auto file = [&](std::string_view name, Setting<std::string>& setting) {
    const Path path = child(tls, name);
    auto text = reader.string(path);
    if (!text) return;
    if (text->empty()) fail(reader.origin(path), "is empty; give the path of a PEM file");
    setting.set(std::move(*text), reader.origin(path));
  };
  file("ca-file", out.ca_file);
  file("cert-file", out.cert_file);
  file("key-file", out.key_file);
  const Path verify = child(tls, "verify-peer");
  if (const auto on = reader.boolean(verify)) out.verify_peer.set(*on, reader.origin(verify));
  return out;
}

WorkerConfig read_worker(TomlReader& reader, const Path& base) {
  WorkerConfig out;
  out.timeout = reader.boolean(child(base, "timeout"));
  if (const auto ms = reader.seconds_ms(child(base, "max-duration"), 1, false)) {
    out.max_duration = std::chrono::milliseconds(*ms);
  }
  if (const auto n = reader.integer(child(base, "max-retries"), 0, max_int)) out.max_retries = static_cast<int>(*n);
  return out;
}

std::optional<SidekiqVersion> read_version(TomlReader& reader, const Path& path) {
  const toml::node* node = reader.find(path);
  if (node == nullptr) return std::nullopt;
  std::string text;
  if (const auto* number = node->as_integer()) text = std::to_string(number->get());
  if (const auto* string = node->as_string()) text = string->get().substr(0, string->get().find('.'));
  if (text == "6") return SidekiqVersion::v6;
  if (text == "7") return SidekiqVersion::v7;
  if (text == "8") return SidekiqVersion::v8;
  fail(reader.origin(*node, path), "must be \"6\", \"7\" or \"8\" (the Sidekiq whose Web UI reads this Redis)");
}

void read_processor(TomlReader& reader, const Path& base, Settings& out) {
  const auto located = [&](const Path& path) { return reader.origin(path); };
  const auto duration = [&](std::string_view key, Setting<std::chrono::milliseconds>& setting,
                            std::chrono::milliseconds minimum, bool allow_zero) {
    const Path path = child(base, key);
    if (const auto ms = reader.seconds_ms(path, minimum.count(), allow_zero)) {
      setting.set(std::chrono::milliseconds(*ms), located(path));
    }
  };
  duration("shutdown-timeout", out.shutdown_timeout, std::chrono::milliseconds(1), true);
  duration("average-scheduled-poll-interval", out.average_scheduled_poll_interval, ProcessorOptions::min_poll_interval, false);
  duration("poll-interval-average", out.poll_interval_average, ProcessorOptions::min_poll_interval, false);
  duration("heartbeat-interval", out.heartbeat_interval, ProcessorOptions::min_heartbeat_interval, false);
  if (auto tag = reader.string(child(base, "tag"))) out.tag.set(std::move(*tag), located(child(base, "tag")));
  const Path labels = child(base, "labels");
  if (const toml::node* node = reader.find(labels)) {
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_homogeneous(toml::node_type::string)) {
      fail(located(labels), "must be an array of strings, e.g. [\"eu-west\", \"canary\"]");
    }
    std::vector<std::string> values;
    for (const auto& label : *array) values.push_back(label.as_string()->get());
    out.labels.set(std::move(values), located(labels));
  }
  const Path dead_max = child(base, "dead-max-jobs");
  if (const auto n = reader.integer(dead_max, 0, std::numeric_limits<std::int64_t>::max())) {
    out.dead_max_jobs.set(*n, located(dead_max));
  }
  const Path dead_timeout = child(base, "dead-timeout-in-seconds");
  if (const auto n = reader.integer(dead_timeout, 1, ProcessorOptions::max_dead_age.count())) {
    out.dead_timeout.set(std::chrono::seconds(*n), located(dead_timeout));
  }
}

/// errand's `service.worker.pg.visibility-timeout`, and Roadster's
/// `service.worker.worker-config.pg.success-action` ("delete" or "archive").
void read_pg_store_settings(TomlReader& reader, Settings& out) {
  constexpr std::int64_t one_year = 365LL * 24 * 3600;
  const Path vt = split("service.worker.pg.visibility-timeout");
  if (const auto seconds = reader.integer(vt, 1, one_year)) {
    out.pg_visibility_timeout.set(std::chrono::seconds(*seconds), reader.origin(vt));
  }
  const Path success = split("service.worker.worker-config.pg.success-action");
  if (const auto text = reader.string(success)) {
    if (*text != "delete" && *text != "archive") {
      fail(reader.origin(success),
           "is \"{}\"; use \"delete\" (pgmq's delete, Roadster's default) or \"archive\" (into pgmq.a_<queue>)",
           *text);
    }
    out.pg_archive_on_success.set(*text == "archive", reader.origin(success));
  }
}

}  // namespace

Settings read_toml(std::string_view toml, std::string_view source_name) {
  TomlReader reader(toml, source_name);
  Settings out;
  const Path worker = split("service.worker");
  reader.table(worker);
  read_common(reader, worker, out.shared);
  read_processor(reader, worker, out);

  // Roadster moved Sidekiq's section from [service.sidekiq] to [service.worker.sidekiq]; both are read.
  BackendSettings old_sidekiq = read_store(reader, split("service.sidekiq"));
  BackendSettings new_sidekiq = read_store(reader, split("service.worker.sidekiq"));
  if (old_sidekiq.present && new_sidekiq.present) {
    fail(new_sidekiq.origin, "and [service.sidekiq] ({}) are the same section; keep one", old_sidekiq.origin);
  }
  RedisSettings old_redis;
  RedisSettings new_redis;
  for (auto [section, redis] : {std::pair{&old_sidekiq, &old_redis}, std::pair{&new_sidekiq, &new_redis}}) {
    const Path base = split(section->section);
    read_url(reader, child(child(base, "redis"), "uri"), *section);
    *redis = read_redis(reader, child(base, "redis"));
    if (const auto version = read_version(reader, child(base, "version"))) {
      out.sidekiq_version.set(*version, reader.origin(child(base, "version")));
    }
  }
  out.redis = new_sidekiq.present ? std::move(new_redis) : std::move(old_redis);
  out.sidekiq = new_sidekiq.present ? std::move(new_sidekiq) : std::move(old_sidekiq);

  out.pg = read_store(reader, split("service.worker.pg"));
  read_url(reader, split("service.worker.pg.database.uri"), out.pg);
  read_pg_store_settings(reader, out);
  out.sqlite = read_store(reader, split("service.worker.sqlite"));
  read_sqlite_location(reader, split("service.worker.sqlite"), out.sqlite);

  const Path database_uri = split("database.uri");
  if (const auto uri = reader.string(database_uri)) {
    out.database_uri.set(*uri, reader.origin(database_uri));
  }

  reader.table(split("service.worker.worker-config"));
  out.worker_defaults = read_worker(reader, split("service.worker.worker-config"));
  const Path workers = split("service.worker.workers");
  for (const auto& class_name : reader.keys(workers)) {
    const Path section = child(workers, class_name);
    reader.table(section);
    out.workers[class_name] = read_worker(reader, section);
  }

  reader.check_unknown_keys();
  return out;
}

}  // namespace errand::config
