#include "sqlite/sqlite_store.hpp"

#include <errand/error.hpp>

#include "kit/store_support.hpp"
#include "sqlite/queue_order.hpp"
#include "sqlite/schema.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace errand::sqlite {

SqliteStore::SqliteStore(const SqliteOptions& options) : pool_(options) {
  // Fails now, with a clear message, if the file cannot be opened; a new connection
  // creates the tables when they are missing.
  (void)pool_.acquire();
}

void SqliteStore::notify() {
  {
    std::lock_guard lock(wake_mutex_);
    ++wake_count_;
  }
  wake_.notify_all();
}

void SqliteStore::job_insert_many(const JobInsertManyParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  for (const auto& job : params.jobs) {
    if (job.run_at) {
      c->prepare("INSERT INTO errand_jobs (queue, state, position, run_at, payload) VALUES (?1, 2, 0, ?2, ?3)")
          .bind(1, job.queue)
          .bind(2, epoch_seconds(*job.run_at))
          .bind(3, job.payload)
          .run();
      continue;
    }
    c->prepare(
         "INSERT INTO errand_jobs (queue, state, position, payload) VALUES (?1, 0, "
         "(SELECT COALESCE(MAX(position), 0) + 1 FROM errand_jobs WHERE queue = ?1 AND state = 0), ?2)")
        .bind(1, job.queue)
        .bind(2, job.payload)
        .run();
    remember_queue(*c, job.queue);
  }
  tx.commit();
  notify();
}

std::vector<FetchedJob> SqliteStore::take_ready(Connection& c, const JobFetchParams& params) {
  std::vector<FetchedJob> jobs;
  Transaction tx(c);
  for (const auto& queue : params.queues) {
    if (jobs.size() >= params.max) break;
    Statement s = c.prepare(
        "UPDATE errand_jobs SET state = 1, owner = ?1 WHERE id IN (SELECT id FROM errand_jobs WHERE queue = ?2 AND "
        "state = 0 ORDER BY position LIMIT ?3) RETURNING id, payload, position");
    s.bind(1, params.owner).bind(2, queue).bind(3, static_cast<std::int64_t>(params.max - jobs.size()));
    std::vector<std::pair<std::int64_t, FetchedJob>> taken;
    while (s.step()) taken.push_back({s.integer(2), {queue, s.text(1), static_cast<std::uint64_t>(s.integer(0))}});
    std::sort(taken.begin(), taken.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [position, job] : taken) jobs.push_back(std::move(job));
  }
  tx.commit();
  return jobs;
}

std::vector<FetchedJob> SqliteStore::job_fetch(const JobFetchParams& params) {
  if (params.queues.empty() || params.max == 0) return {};
  auto c = pool_.acquire();
  std::vector<FetchedJob> jobs = take_ready(*c, params);
  const auto deadline = std::chrono::steady_clock::now() + params.wait;
  // No job ready: look again when this process writes (a wake-up) or when another
  // connection commits (PRAGMA data_version changes); otherwise take no write lock.
  std::int64_t version = c->data_version();
  while (jobs.empty() && !params.stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
    bool woken = false;
    {
      std::unique_lock lock(wake_mutex_);
      const std::uint64_t seen = wake_count_;
      woken = wake_.wait_for(lock, params.stop, pool_.options().poll_interval, [&] { return wake_count_ != seen; });
    }
    const std::int64_t now_version = c->data_version();
    if (!woken && now_version == version) continue;
    version = now_version;
    jobs = take_ready(*c, params);
  }
  return jobs;
}

void SqliteStore::job_complete(const JobCompleteParams& params) {
  if (params.jobs.empty()) return;
  auto c = pool_.acquire();
  Transaction tx(*c);
  for (const auto& job : params.jobs) {
    c->prepare("DELETE FROM errand_jobs WHERE id = ?1 AND state = 1 AND owner = ?2")
        .bind(1, static_cast<std::int64_t>(job.receipt))
        .bind(2, params.owner)
        .run();
  }
  tx.commit();
}

bool SqliteStore::make_first(Connection& c, std::int64_t id, std::string_view owner) {
  Statement s = c.prepare(
      "UPDATE errand_jobs SET state = 0, owner = NULL, position = (SELECT COALESCE(MIN(position), 1) - 1 FROM "
      "errand_jobs AS ready WHERE ready.queue = errand_jobs.queue AND ready.state = 0) WHERE id = ?1 AND state = 1 "
      "AND owner = ?2 RETURNING id");
  s.bind(1, id).bind(2, owner);
  return s.step();
}

void SqliteStore::job_give_back(const JobGiveBackParams& params) {
  if (params.jobs.empty()) return;
  auto c = pool_.acquire();
  Transaction tx(*c);
  // Last first, so that the first job given ends up first in line.
  for (auto it = params.jobs.rbegin(); it != params.jobs.rend(); ++it) {
    make_first(*c, static_cast<std::int64_t>(it->receipt), params.owner);
  }
  tx.commit();
  notify();
}

bool SqliteStore::job_complete_given_back(const JobCompleteGivenBackParams& params) {
  // Still waiting (state 0), and still the same job: a row id can be reused.
  auto c = pool_.acquire();
  Statement s = c->prepare("DELETE FROM errand_jobs WHERE id = ?1 AND state = 0 AND payload = ?2 RETURNING id");
  s.bind(1, static_cast<std::int64_t>(params.job.receipt)).bind(2, params.job.payload);
  return s.step();
}

void SqliteStore::job_retry(const JobRetryParams& params) {
  auto c = pool_.acquire();
  c->prepare(
       "UPDATE errand_jobs SET state = 3, owner = NULL, payload = ?3, run_at = ?4, queue = ?5 "
       "WHERE id = ?1 AND state = 1 AND owner = ?2")
      .bind(1, static_cast<std::int64_t>(params.fetched.receipt))
      .bind(2, params.owner)
      .bind(3, params.payload)
      .bind(4, epoch_seconds(params.retry_at))
      .bind(5, params.queue)
      .run();
}

void SqliteStore::job_kill(const JobKillParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  c->prepare(
       "UPDATE errand_jobs SET state = 4, owner = NULL, payload = ?3, run_at = ?4 WHERE id = ?1 AND state = 1 AND "
       "owner = ?2")
      .bind(1, static_cast<std::int64_t>(params.fetched.receipt))
      .bind(2, params.owner)
      .bind(3, params.payload)
      .bind(4, epoch_seconds(params.died_at))
      .run();
  // Sidekiq's limits: nothing older than max_age; the newest max_jobs - 1 at most.
  c->prepare("DELETE FROM errand_jobs WHERE state = 4 AND run_at < ?1")
      .bind(1, epoch_seconds(params.died_at - params.limits.max_age))
      .run();
  c->prepare(
       "DELETE FROM errand_jobs WHERE id IN (SELECT id FROM errand_jobs WHERE state = 4 ORDER BY run_at DESC, id DESC "
       "LIMIT -1 OFFSET ?1)")
      .bind(1, static_cast<std::int64_t>(params.limits.max_jobs > 0 ? params.limits.max_jobs - 1 : 0))
      .run();
  tx.commit();
}

std::size_t SqliteStore::job_schedule_due(const JobScheduleDueParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::pair<std::int64_t, std::string>> due;
  for (const int state : {static_cast<int>(retrying), static_cast<int>(scheduled)}) {
    if (due.size() >= params.max) break;
    Statement s = c->prepare("SELECT id, payload FROM errand_jobs WHERE state = ?1 AND run_at <= ?2 ORDER BY run_at LIMIT ?3");
    s.bind(1, static_cast<std::int64_t>(state))
        .bind(2, epoch_seconds(params.now))
        .bind(3, static_cast<std::int64_t>(params.max - due.size()));
    while (s.step()) due.emplace_back(s.integer(0), s.text(1));
  }
  for (const auto& [id, payload] : due) {
    const detail::DueJob ready = detail::due_job(payload, params.now, sidekiq_version());
    c->prepare("UPDATE errand_jobs SET payload = ?2 WHERE id = ?1").bind(1, id).bind(2, ready.payload).run();
    append_ready(*c, id, ready.queue);
  }
  tx.commit();
  if (!due.empty()) notify();
  return due.size();
}

std::size_t SqliteStore::job_give_back_orphaned(const JobGiveBackOrphanedParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::vector<std::pair<std::int64_t, std::string>> orphans;
  Statement s = c->prepare(
      "SELECT id, owner FROM errand_jobs WHERE state = 1 AND owner != ?1 AND owner NOT IN "
      "(SELECT identity FROM errand_processes WHERE alive_until >= ?2)");
  s.bind(1, params.rescuer).bind(2, epoch_seconds(Clock::now()));
  while (s.step()) orphans.emplace_back(s.integer(0), s.text(1));
  std::size_t rescued = 0;
  for (const auto& [id, owner] : orphans) rescued += make_first(*c, id, owner) ? 1 : 0;
  tx.commit();
  if (rescued > 0) notify();
  return rescued;
}

std::vector<std::string> SqliteStore::job_list_held(const JobListHeldParams& params) {
  auto c = pool_.acquire();
  Statement s = c->prepare("SELECT payload FROM errand_jobs WHERE state = 1 AND owner = ?1 ORDER BY id");
  s.bind(1, params.owner);
  std::vector<std::string> payloads;
  while (s.step()) payloads.push_back(s.text(0));
  return payloads;
}

std::size_t SqliteStore::job_give_back_stranded(const JobGiveBackStrandedParams& params) {
  auto c = pool_.acquire();
  Transaction tx(*c);
  std::size_t reclaimed = 0;
  for (const auto& payload : params.payloads) {
    Statement s = c->prepare("SELECT id FROM errand_jobs WHERE state = 1 AND owner = ?1 AND payload = ?2 LIMIT 1");
    s.bind(1, params.owner).bind(2, payload);
    if (!s.step()) continue;
    const std::int64_t id = s.integer(0);
    reclaimed += make_first(*c, id, params.owner) ? 1 : 0;
  }
  tx.commit();
  if (reclaimed > 0) notify();
  return reclaimed;
}

}  // namespace errand::sqlite
