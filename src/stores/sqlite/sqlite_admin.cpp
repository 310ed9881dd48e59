// The SQLite store's admin operations: stats, queues and sets; retry now, delete, clear.
#include "sqlite/sqlite_store.hpp"

#include "kit/store_support.hpp"
#include "sqlite/queue_order.hpp"
#include "sqlite/schema.hpp"

namespace errand::sqlite {

StoreStats SqliteStore::stats() {
  auto c = pool_.acquire();
  StoreStats stats;
  Statement s = c->prepare("SELECT name, value FROM errand_stats WHERE name IN ('processed', 'failed')");
  while (s.step()) (s.text(0) == "processed" ? stats.processed : stats.failed) = s.integer(1);
  return stats;
}

std::int64_t SqliteStore::queue_size(const QueueSizeParams& params) {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT COUNT(*) FROM errand_jobs WHERE queue = ?1 AND state = 0");
  s.bind(1, params.queue);
  s.step();
  return s.integer(0);
}

std::vector<std::string> SqliteStore::queue_names() {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT name FROM errand_queues ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

std::vector<SetEntry> SqliteStore::set_list(const SetListParams& params) {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT run_at, payload FROM errand_jobs WHERE state = ?1 ORDER BY run_at, id LIMIT ?2");
  s.bind(1, static_cast<std::int64_t>(state_of(params.set))).bind(2, static_cast<std::int64_t>(params.limit));
  std::vector<SetEntry> entries;
  while (s.step()) entries.push_back({from_epoch_seconds(s.real(0)), s.text(1)});
  return entries;
}

std::int64_t SqliteStore::set_size(const SetSizeParams& params) {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT COUNT(*) FROM errand_jobs WHERE state = ?1");
  s.bind(1, static_cast<std::int64_t>(state_of(params.set)));
  s.step();
  return s.integer(0);
}

std::size_t SqliteStore::set_enqueue_now(const SetChangeParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::pair<std::int64_t, std::string>> chosen;
  Statement s = c->prepare("SELECT id, payload FROM errand_jobs WHERE state = ?1 ORDER BY run_at, id");
  s.bind(1, static_cast<std::int64_t>(state_of(params.set)));
  while (s.step()) {
    std::string payload = s.text(1);
    if (detail::selected(payload, params.which)) chosen.emplace_back(s.integer(0), std::move(payload));
  }
  for (const auto& [id, payload] : chosen) {
    c->prepare("UPDATE errand_jobs SET payload = ?2 WHERE id = ?1")
        .bind(1, id)
        .bind(2, detail::for_manual_retry(payload))
        .run();
    append_ready(*c, id, detail::queue_of(payload));
  }
  tx.commit();
  if (!chosen.empty()) notify();
  return chosen.size();
}

std::size_t SqliteStore::set_delete(const SetChangeParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::int64_t> chosen;
  Statement s = c->prepare("SELECT id, payload FROM errand_jobs WHERE state = ?1");
  s.bind(1, static_cast<std::int64_t>(state_of(params.set)));
  while (s.step()) {
    if (detail::selected(s.text(1), params.which)) chosen.push_back(s.integer(0));
  }
  for (const std::int64_t id : chosen) c->prepare("DELETE FROM errand_jobs WHERE id = ?1").bind(1, id).run();
  tx.commit();
  return chosen.size();
}

std::size_t SqliteStore::queue_clear(const QueueClearParams& params) {
  auto c = pool_.acquire();
  Statement s = c->prepare("DELETE FROM errand_jobs WHERE queue = ?1 AND state = 0 RETURNING id");
  s.bind(1, params.queue);
  std::size_t cleared = 0;
  while (s.step()) ++cleared;
  return cleared;
}

}  // namespace errand::sqlite
