// The Postgres store's admin operations: stats, queues and sets; retry now, delete, clear.
#include "postgres/postgres_store.hpp"

#include "kit/store_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace errand::pq {
namespace {

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

/// Rows of a set, in one queue's table or archive: msg_id, message.
std::string set_rows_query(JobSet set, std::string_view queue) {
  switch (set) {
    case JobSet::scheduled:
      return fmt::format("SELECT msg_id, message::text FROM {} WHERE vt > clock_timestamp() AND read_ct = 0 AND "
                         "NOT coalesce(message ? 'retry_count', false) ORDER BY vt, msg_id",
                         queue_table(queue));
    case JobSet::retry:
      return fmt::format("SELECT msg_id, message::text FROM {} WHERE vt > clock_timestamp() AND read_ct = 0 AND "
                         "coalesce(message ? 'retry_count', false) ORDER BY vt, msg_id",
                         queue_table(queue));
    case JobSet::dead:
      return fmt::format("SELECT msg_id, message::text FROM {} WHERE headers ? 'x-errand-dead' ORDER BY archived_at, msg_id",
                         archive_table(queue));
  }
  return {};
}

}  // namespace

StoreStats PostgresStore::stats() {
  auto c = pool_.acquire();
  const Result r = c->exec("SELECT name, value FROM errand.stats WHERE name IN ('processed', 'failed')");
  StoreStats stats;
  for (int i = 0; i < r.rows(); ++i) (r.text(i, 0) == "processed" ? stats.processed : stats.failed) = r.integer(i, 1);
  return stats;
}

std::int64_t PostgresStore::queue_size(const QueueSizeParams& params) {
  auto c = pool_.acquire();
  if (!catalog_->exists(*c, params.queue)) return 0;
  return c->exec(fmt::format("SELECT count(*) FROM {} WHERE vt <= clock_timestamp()", queue_table(params.queue)))
      .integer(0, 0);
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

std::vector<SetEntry> PostgresStore::set_list(const SetListParams& params) {
  auto c = pool_.acquire();
  const std::string rows = union_over_queues(*c, set_query(params.set), params.set == JobSet::dead);
  if (rows.empty()) return {};
  const Result r = c->exec(
      fmt::format("SELECT extract(epoch FROM at)::float8, payload FROM ({}) AS s ORDER BY at, msg_id LIMIT $1", rows),
      Params().add(static_cast<std::int64_t>(params.limit)));
  std::vector<SetEntry> entries;
  for (int i = 0; i < r.rows(); ++i) {
    entries.push_back({from_epoch_seconds(r.real(i, 0)), r.is_null(i, 1) ? "null" : std::string(r.text(i, 1))});
  }
  return entries;
}

std::int64_t PostgresStore::set_size(const SetSizeParams& params) {
  auto c = pool_.acquire();
  const std::string rows = union_over_queues(*c, set_query(params.set), params.set == JobSet::dead);
  if (rows.empty()) return 0;
  return c->exec(fmt::format("SELECT count(*) FROM ({}) AS s", rows)).integer(0, 0);
}

std::vector<std::pair<std::int64_t, std::string>> PostgresStore::selected_rows(Connection& c, JobSet set,
                                                                               std::string_view queue,
                                                                               const SetSelection& which) {
  const Result r = c.exec(set_rows_query(set, queue));
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (int i = 0; i < r.rows(); ++i) {
    std::string payload = r.is_null(i, 1) ? std::string("null") : std::string(r.text(i, 1));
    if (detail::selected(payload, which)) rows.emplace_back(r.integer(i, 0), std::move(payload));
  }
  return rows;
}

std::size_t PostgresStore::set_enqueue_now(const SetChangeParams& params) {
  const JobSet set = params.set;
  auto c = pool_.acquire();
  std::size_t moved = 0;
  for (const auto& queue : table_queues(*c)) {
    for (const auto& [id, payload] : selected_rows(*c, set, queue, params.which)) {
      // A new row, visible now: the back of the line, as Sidekiq's push.
      const std::string from = set == JobSet::dead ? archive_table(queue) : queue_table(queue);
      const std::string guard = set == JobSet::dead ? "headers ? 'x-errand-dead'" : "read_ct = 0 AND vt > clock_timestamp()";
      const Result r = c->exec(
          fmt::format("WITH gone AS (DELETE FROM {} WHERE msg_id = $1 AND {} RETURNING headers) "
                      "INSERT INTO {} (vt, message, headers) SELECT clock_timestamp(), $2::jsonb, "
                      "gone.headers - 'x-errand-dead' FROM gone",
                      from, guard, queue_table(queue)),
          Params().add(id).add(detail::for_manual_retry(payload)));
      moved += static_cast<std::size_t>(r.affected());
    }
    c->exec("SELECT pg_notify($1, '')", Params().add(insert_channel(queue)));
  }
  if (moved > 0) listener_.wake();
  return moved;
}

std::size_t PostgresStore::set_delete(const SetChangeParams& params) {
  auto c = pool_.acquire();
  std::size_t deleted = 0;
  for (const auto& queue : table_queues(*c)) {
    std::vector<std::int64_t> ids;
    for (const auto& row : selected_rows(*c, params.set, queue, params.which)) ids.push_back(row.first);
    if (ids.empty()) continue;
    const std::string table = params.set == JobSet::dead ? archive_table(queue) : queue_table(queue);
    const std::string guard = params.set == JobSet::dead ? "headers ? 'x-errand-dead'" : "read_ct = 0";
    deleted += static_cast<std::size_t>(
        c->exec(fmt::format("DELETE FROM {} WHERE msg_id = ANY($1::bigint[]) AND {}", table, guard),
                Params().add(array_literal(ids)))
            .affected());
  }
  return deleted;
}

std::size_t PostgresStore::queue_clear(const QueueClearParams& params) {
  auto c = pool_.acquire();
  if (!catalog_->exists(*c, params.queue)) return 0;
  return static_cast<std::size_t>(
      c->exec(fmt::format("DELETE FROM {} WHERE vt <= clock_timestamp()", queue_table(params.queue))).affected());
}

}  // namespace errand::pq
