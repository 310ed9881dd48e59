// The Postgres store's admin operations: retry now, delete, clear.
#include "postgres/postgres_store.hpp"

#include "kit/store_support.hpp"

#include <fmt/format.h>

namespace errand::pq {
namespace {

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

std::size_t PostgresStore::set_enqueue_now(JobSet set, const SetSelection& which) {
  auto c = pool_.acquire();
  std::size_t moved = 0;
  for (const auto& queue : table_queues(*c)) {
    for (const auto& [id, payload] : selected_rows(*c, set, queue, which)) {
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

std::size_t PostgresStore::set_delete(JobSet set, const SetSelection& which) {
  auto c = pool_.acquire();
  std::size_t deleted = 0;
  for (const auto& queue : table_queues(*c)) {
    std::vector<std::int64_t> ids;
    for (const auto& row : selected_rows(*c, set, queue, which)) ids.push_back(row.first);
    if (ids.empty()) continue;
    const std::string table = set == JobSet::dead ? archive_table(queue) : queue_table(queue);
    const std::string guard = set == JobSet::dead ? "headers ? 'x-errand-dead'" : "read_ct = 0";
    deleted += static_cast<std::size_t>(
        c->exec(fmt::format("DELETE FROM {} WHERE msg_id = ANY($1::bigint[]) AND {}", table, guard),
                Params().add(array_literal(ids)))
            .affected());
  }
  return deleted;
}

std::size_t PostgresStore::queue_clear(std::string_view queue) {
  auto c = pool_.acquire();
  if (!catalog_->exists(*c, queue)) return 0;
  return static_cast<std::size_t>(
      c->exec(fmt::format("DELETE FROM {} WHERE vt <= clock_timestamp()", queue_table(queue))).affected());
}

}  // namespace errand::pq
