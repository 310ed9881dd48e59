// The Postgres store's process registry, stats and listings.
#include "postgres/postgres_store.hpp"

#include "kit/store_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace errand::pq {
namespace {

void add_stat(Connection& c, const std::string& name, std::uint64_t amount) {
  if (amount == 0) return;
  c.exec("INSERT INTO errand.stats (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = "
         "errand.stats.value + excluded.value",
         Params().add(name).add(static_cast<std::int64_t>(amount)));
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

/// The rows of one set, in one queue table: `{table}` and `{queue}` are filled in.
std::string_view set_query(JobSet set) {
  switch (set) {
    case JobSet::scheduled:
      return "SELECT vt AS at, message::text AS payload, msg_id FROM {table} "
             "WHERE vt > clock_timestamp() AND read_ct = 0 AND NOT coalesce(message ? 'retry_count', false)";
    case JobSet::retry:
      return "SELECT vt AS at, message::text AS payload, msg_id FROM {table} "
             "WHERE vt > clock_timestamp() AND read_ct = 0 AND coalesce(message ? 'retry_count', false)";
    case JobSet::dead:
      return "SELECT archived_at AS at, message::text AS payload, msg_id FROM {table} WHERE headers ? 'x-errand-dead'";
  }
  return "";
}

}  // namespace

ProcessBeatResult PostgresStore::process_beat(const ProcessBeatParams& p) {
  auto c = pool_.acquire();
  if (!p.held.empty()) renew_leases(*c, p.held);
  c->exec("BEGIN");
  c->exec("INSERT INTO errand.processes (identity, info, beat, alive_until, quiet, busy) VALUES "
          "($1, $2, clock_timestamp(), clock_timestamp() + make_interval(secs => $3::float8 / 1000), $4, $5) "
          "ON CONFLICT (identity) DO UPDATE SET info = excluded.info, beat = excluded.beat, "
          "alive_until = excluded.alive_until, quiet = excluded.quiet, busy = excluded.busy",
          Params()
              .add(p.identity)
              .add(p.info_json)
              .add(millis(p.liveness_ttl))
              .add(p.quiet ? "true" : "false")
              .add(static_cast<std::int64_t>(p.busy.size())));
  const std::string date = detail::utc_date(Clock::now());
  add_stat(*c, "processed", p.processed);
  add_stat(*c, "processed:" + date, p.processed);
  add_stat(*c, "failed", p.failed);
  add_stat(*c, "failed:" + date, p.failed);
  const Result signals = c->exec("DELETE FROM errand.signals WHERE identity = $1 RETURNING signal", Params().add(p.identity));
  c->exec("COMMIT");
  ProcessBeatResult result;
  for (int i = 0; i < signals.rows(); ++i) result.signals.emplace_back(signals.text(i, 0));
  return result;
}

void PostgresStore::process_stop(std::string_view identity) {
  auto c = pool_.acquire();
  c->exec("DELETE FROM errand.processes WHERE identity = $1", Params().add(identity));
}

std::int64_t PostgresStore::process_count() {
  auto c = pool_.acquire();
  const Result r = c->exec("SELECT count(*) FROM errand.processes WHERE alive_until >= clock_timestamp()");
  return std::max<std::int64_t>(1, r.integer(0, 0));
}

StoreStats PostgresStore::stats() {
  auto c = pool_.acquire();
  const Result r = c->exec("SELECT name, value FROM errand.stats WHERE name IN ('processed', 'failed')");
  StoreStats stats;
  for (int i = 0; i < r.rows(); ++i) (r.text(i, 0) == "processed" ? stats.processed : stats.failed) = r.integer(i, 1);
  return stats;
}

std::int64_t PostgresStore::queue_size(std::string_view queue) {
  auto c = pool_.acquire();
  if (!catalog_->exists(*c, queue)) return 0;
  return c->exec(fmt::format("SELECT count(*) FROM {} WHERE vt <= clock_timestamp()", queue_table(queue))).integer(0, 0);
}

std::vector<std::string> PostgresStore::queue_names() {
  auto c = pool_.acquire();
  return Catalog::queues(*c);
}

std::vector<std::string> PostgresStore::table_queues(Connection& c) {
  std::vector<std::string> queues;
  for (const auto& name : Catalog::queues(c)) {
    // pgmq lower-cases table names; names errand cannot use safely are left out.
    std::string queue = name;
    std::transform(queue.begin(), queue.end(), queue.begin(), [](unsigned char ch) { return std::tolower(ch); });
    try {
      validate_pgmq_queue_name(queue);
    } catch (const ArgumentError&) {
      continue;
    }
    queues.push_back(std::move(queue));
  }
  return queues;
}

std::string PostgresStore::union_over_queues(Connection& c, std::string_view part, bool archive) {
  std::string sql;
  for (const auto& queue : table_queues(c)) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += fmt::format(fmt::runtime(part), fmt::arg("table", archive ? archive_table(queue) : queue_table(queue)),
                       fmt::arg("queue", queue));
  }
  return sql;
}

std::vector<SetEntry> PostgresStore::set_entries(JobSet set, std::size_t limit) {
  auto c = pool_.acquire();
  const std::string rows = union_over_queues(*c, set_query(set), set == JobSet::dead);
  if (rows.empty()) return {};
  const Result r = c->exec(
      fmt::format("SELECT extract(epoch FROM at)::float8, payload FROM ({}) AS s ORDER BY at, msg_id LIMIT $1", rows),
      Params().add(static_cast<std::int64_t>(limit)));
  std::vector<SetEntry> entries;
  for (int i = 0; i < r.rows(); ++i) {
    entries.push_back({from_epoch_seconds(r.real(i, 0)), r.is_null(i, 1) ? "null" : std::string(r.text(i, 1))});
  }
  return entries;
}

std::int64_t PostgresStore::set_size(JobSet set) {
  auto c = pool_.acquire();
  const std::string rows = union_over_queues(*c, set_query(set), set == JobSet::dead);
  if (rows.empty()) return 0;
  return c->exec(fmt::format("SELECT count(*) FROM ({}) AS s", rows)).integer(0, 0);
}

}  // namespace errand::pq
