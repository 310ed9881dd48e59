#include "store_admin.hpp"

#include "postgres/pq.hpp"
#include "redis/connection.hpp"

#include <errand/error.hpp>
#include <errand/postgres.hpp>
#include <errand/redis.hpp>
#include <errand/sqlite.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

namespace errand::bench {

namespace {

/// A field `key:value` of an INFO reply, or nullopt.
std::optional<std::int64_t> info_field(const std::string& info, std::string_view key) {
  const std::string needle = "\n" + std::string(key) + ":";
  const auto at = ("\n" + info).find(needle);
  if (at == std::string::npos) return std::nullopt;
  return std::stoll(info.substr(at + needle.size() - 1));
}

/// The sum of `calls=` over every `cmdstat_*` line, less the INFO calls themselves.
std::int64_t command_calls(const std::string& info) {
  std::int64_t total = 0;
  std::istringstream lines(info);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cmdstat_", 0) != 0 || line.rfind("cmdstat_info:", 0) == 0) continue;
    const auto at = line.find("calls=");
    if (at != std::string::npos) total += std::stoll(line.substr(at + 6));
  }
  return total;
}

ServerCounters redis_counters(std::string_view url) {
  redis::Connection connection(RedisOptions::from_url(url));
  const redis::Reply reply = connection.run({"INFO", "stats", "commandstats"});
  const std::string& info = reply.text();
  ServerCounters counters;
  counters.commands = command_calls(info);
  // This INFO request is counted in the reads and input bytes read now; its reply is
  // counted in the output bytes only later: leave it out of the reading after.
  if (const auto reads = info_field(info, "total_reads_processed")) counters.round_trips = *reads - 1;
  const auto in = info_field(info, "total_net_input_bytes");
  const auto out = info_field(info, "total_net_output_bytes");
  if (in && out) counters.bytes = *in + *out - static_cast<std::int64_t>(info.size());
  return counters;
}

ServerCounters postgres_counters(std::string_view url) {
  // Backends publish their statistics when they exit (idle ones may hold them back for
  // up to 10 s): give the connections the caller just closed time to do so.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pq::Connection connection{std::string(url)};
  const pq::Result r = connection.exec(
      "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
  ServerCounters counters;
  if (r.rows() == 1) counters.round_trips = r.integer(0, 0);
  return counters;
}

}  // namespace

StoreKind store_kind(std::string_view url) {
  if (url.starts_with("redis://")) return StoreKind::redis;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return StoreKind::postgres;
  if (url.starts_with("sqlite://")) return StoreKind::sqlite;
  throw ConfigError("errand_bench: no benchmark for the store at \"" + std::string(url) +
                    "\"; use redis://host:port/db, postgresql://user@host:port/db or sqlite://path/to/file.db");
}

std::string_view store_kind_name(StoreKind kind) noexcept {
  switch (kind) {
    case StoreKind::redis: return "redis";
    case StoreKind::postgres: return "postgres";
    case StoreKind::sqlite: return "sqlite";
  }
  return "?";
}

std::shared_ptr<Store> open_store(std::string_view url, std::size_t pool) {
  if (pool == 0) return connect(url);
  switch (store_kind(url)) {
    case StoreKind::redis: {
      auto options = RedisOptions::from_url(url);
      options.pool_size = pool;
      return connect_redis(options);
    }
    case StoreKind::postgres: {
      auto options = PostgresOptions::from_url(url);
      options.pool_size = pool;
      return connect_postgres(options);
    }
    case StoreKind::sqlite: {
      auto options = SqliteOptions::from_url(url);
      options.pool_size = pool;
      return connect_sqlite(options);
    }
  }
  return connect(url);
}

void reset_store(std::string_view url) {
  switch (store_kind(url)) {
    case StoreKind::redis: {
      redis::Connection connection(RedisOptions::from_url(url));
      (void)connection.run({"FLUSHDB"});
      return;
    }
    case StoreKind::postgres: {
      pq::Connection connection{std::string(url)};
      connection.exec("SET client_min_messages = warning");
      connection.exec("DROP SCHEMA IF EXISTS pgmq, errand CASCADE");
      return;
    }
    case StoreKind::sqlite: {
      const std::string path = SqliteOptions::from_url(url).path;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
      return;
    }
  }
}

ServerCounters read_server_counters(std::string_view url) {
  switch (store_kind(url)) {
    case StoreKind::redis: return redis_counters(url);
    case StoreKind::postgres: return postgres_counters(url);
    case StoreKind::sqlite: return {};
  }
  return {};
}

std::optional<double> per_job(std::optional<std::int64_t> before, std::optional<std::int64_t> after,
                              std::int64_t jobs) {
  if (!before || !after || jobs <= 0) return std::nullopt;
  return static_cast<double>(*after - *before) / static_cast<double>(jobs);
}

}  // namespace errand::bench
