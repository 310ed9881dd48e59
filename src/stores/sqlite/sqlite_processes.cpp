// The SQLite store's process registry.
#include "sqlite/sqlite_store.hpp"

#include <errand/error.hpp>

#include "kit/store_support.hpp"
#include "sqlite/schema.hpp"

#include <fmt/format.h>

#include <limits>

namespace errand::sqlite {
namespace {

void add_stat(Connection& c, const std::string& name, std::uint64_t amount) {
  if (amount == 0) return;
  c.prepare(
       "INSERT INTO errand_stats (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = value + "
       "excluded.value")
      .bind(1, name)
      .bind(2, static_cast<std::int64_t>(amount))
      .run();
}

}  // namespace

ProcessBeatResult SqliteStore::process_beat(const ProcessBeatParams& p) {
  const TimePoint now = Clock::now();
  auto c = pool_.acquire();
  Transaction tx(*c);
  c->prepare(
       "INSERT INTO errand_processes (identity, info, beat, alive_until, quiet, busy) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
       "ON CONFLICT (identity) DO UPDATE SET info = excluded.info, beat = excluded.beat, alive_until = "
       "excluded.alive_until, quiet = excluded.quiet, busy = excluded.busy")
      .bind(1, p.identity)
      .bind(2, p.info_json)
      .bind(3, epoch_seconds(now))
      .bind(4, epoch_seconds(now + p.liveness_ttl))
      .bind(5, static_cast<std::int64_t>(p.quiet ? 1 : 0))
      .bind(6, static_cast<std::int64_t>(p.busy.size()))
      .run();
  const std::string date = detail::utc_date(now);
  add_stat(*c, "processed", p.processed);
  add_stat(*c, "processed:" + date, p.processed);
  add_stat(*c, "failed", p.failed);
  add_stat(*c, "failed:" + date, p.failed);
  ProcessBeatResult result;
  Statement signals = c->prepare("DELETE FROM errand_signals WHERE identity = ?1 RETURNING signal");
  signals.bind(1, p.identity);
  while (signals.step()) result.signals.push_back(signals.text(0));
  tx.commit();
  return result;
}

void SqliteStore::process_stop(const ProcessStopParams& params) {
  auto c = pool_.acquire();
  // Its running jobs, if any are left, are then rescued by the next live process.
  c->prepare("DELETE FROM errand_processes WHERE identity = ?1").bind(1, params.identity).run();
}

std::int64_t SqliteStore::process_count() {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT COUNT(*) FROM errand_processes WHERE alive_until >= ?1");
  s.bind(1, epoch_seconds(Clock::now()));
  s.step();
  return std::max<std::int64_t>(1, s.integer(0));
}

}  // namespace errand::sqlite

namespace errand {

SqliteOptions SqliteOptions::from_url(std::string_view url) {
  constexpr std::string_view scheme = "sqlite://";
  if (!url.starts_with(scheme)) {
    throw ConfigError(fmt::format("errand: a sqlite URL starts with sqlite://, got \"{}\"", url));
  }
  SqliteOptions options;
  options.path = std::string(url.substr(scheme.size()));
  if (options.path.empty()) {
    throw ConfigError(fmt::format("errand: sqlite URL \"{}\" names no file (sqlite://path/to/errand.db)", url));
  }
  return options;
}

std::shared_ptr<Store> connect_sqlite(const SqliteOptions& options) {
  if (options.path.empty()) throw ConfigError("errand: SqliteOptions::path is empty; name the database file");
  if (options.pool_size < 1 || options.pool_size > 10'000) {
    throw ConfigError(fmt::format("errand: SqliteOptions::pool_size is {}; it must be from 1 to 10000 connections",
                                  options.pool_size));
  }
  if (options.busy_timeout.count() < 0 || options.busy_timeout.count() > std::numeric_limits<int>::max()) {
    throw ConfigError(fmt::format("errand: SqliteOptions::busy_timeout is {} ms; it must be from 0 ms (a writer gives "
                                  "up at once when another holds the lock) to {} ms",
                                  options.busy_timeout.count(), std::numeric_limits<int>::max()));
  }
  if (options.poll_interval < std::chrono::milliseconds(1)) {
    throw ConfigError(fmt::format("errand: SqliteOptions::poll_interval is {} ms; it must be at least 1 ms (0 would "
                                  "spin a core while idle)",
                                  options.poll_interval.count()));
  }
  return std::make_shared<sqlite::SqliteStore>(options);
}

}  // namespace errand
