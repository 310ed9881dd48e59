// The SQLite store's admin operations: retry now, delete, clear.
#include "sqlite/sqlite_store.hpp"

#include "kit/store_support.hpp"
#include "sqlite/queue_order.hpp"
#include "sqlite/schema.hpp"

namespace errand::sqlite {

std::size_t SqliteStore::set_enqueue_now(JobSet set, const SetSelection& which) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::pair<std::int64_t, std::string>> chosen;
  Statement s = c->prepare("SELECT id, payload FROM errand_jobs WHERE state = ?1 ORDER BY run_at, id");
  s.bind(1, static_cast<std::int64_t>(state_of(set)));
  while (s.step()) {
    std::string payload = s.text(1);
    if (detail::selected(payload, which)) chosen.emplace_back(s.integer(0), std::move(payload));
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

std::size_t SqliteStore::set_delete(JobSet set, const SetSelection& which) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::int64_t> chosen;
  Statement s = c->prepare("SELECT id, payload FROM errand_jobs WHERE state = ?1");
  s.bind(1, static_cast<std::int64_t>(state_of(set)));
  while (s.step()) {
    if (detail::selected(s.text(1), which)) chosen.push_back(s.integer(0));
  }
  for (const std::int64_t id : chosen) c->prepare("DELETE FROM errand_jobs WHERE id = ?1").bind(1, id).run();
  tx.commit();
  return chosen.size();
}

std::size_t SqliteStore::queue_clear(std::string_view queue) {
  auto c = pool_.acquire();
  Statement s = c->prepare("DELETE FROM errand_jobs WHERE queue = ?1 AND state = 0 RETURNING id");
  s.bind(1, queue);
  std::size_t cleared = 0;
  while (s.step()) ++cleared;
  return cleared;
}

}  // namespace errand::sqlite
