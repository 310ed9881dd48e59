// The Postgres store's jobs: insert, fetch, and the outcomes of fetched jobs.
#include "postgres/postgres_store.hpp"

#include <errand/error.hpp>

#include "kit/store_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace errand::pq {
namespace {

using Statements = std::vector<std::pair<std::string, Params>>;

/// Groups items by queue, keeping their order within each queue.
template <class T, class QueueOf>
std::map<std::string, std::vector<const T*>> by_queue(const std::vector<T>& items, QueueOf queue_of) {
  std::map<std::string, std::vector<const T*>> groups;
  for (const auto& item : items) groups[std::string(queue_of(item))].push_back(&item);
  return groups;
}

/// The (msg_id, read_ct) pairs of fetched jobs, as two array parameters.
Params receipts(const std::vector<const FetchedJob*>& jobs) {
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> deliveries;
  for (const auto* job : jobs) {
    ids.push_back(static_cast<std::int64_t>(job->receipt));
    deliveries.push_back(static_cast<std::int64_t>(job->delivery));
  }
  return Params().add(array_literal(ids)).add(array_literal(deliveries));
}

/// Matches the rows of a queue table `m` that are still the deliveries given as $1, $2:
/// an acknowledgement that comes after the lease ran out and another process took the
/// job touches nothing. The `= ANY(ARRAY(...))` keeps the plan an index lookup per id:
/// joined with the unnest alone, a batch of a few hundred ids against a queue of some
/// thousand rows is planned as a hash join over a sequential scan of the whole queue
/// (4 ms where the lookups take 1 ms, and growing with the queue).
constexpr std::string_view still_held =
    "unnest($1::bigint[], $2::integer[]) AS d(id, ct) WHERE m.msg_id = d.id AND m.read_ct = d.ct "
    "AND m.msg_id = ANY(ARRAY(SELECT unnest($1::bigint[])))";

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()); }

/// Bad JSON is the caller's mistake, not the store's.
[[noreturn]] void rethrow_as_payload_error(const SqlError& e) {
  const std::string& state = e.sqlstate();
  // invalid text representation, untranslatable character, invalid escape, invalid byte
  // sequence, program limit exceeded
  if (state == "22P02" || state == "22P05" || state == "22025" || state == "22021" || state == "54000") {
    throw PayloadError(fmt::format("errand: Postgres keeps jobs as JSON (pgmq's jsonb column) and refused this one: {}",
                                   e.what()));
  }
  throw e;
}

}  // namespace

PostgresStore::PostgresStore(const PostgresOptions& options)
    : options_(options), pool_(pool_settings(options.url, options.pool_size)), listener_(options.url) {
  auto c = pool_.acquire();  // fails now, with a clear message, if the server is unreachable
  catalog_ = std::make_unique<Catalog>(*c);
}

void PostgresStore::job_insert_many(const JobInsertManyParams& params) {
  auto c = pool_.acquire();
  // No transaction is open on c: its tables can be made on it too. (A second connection
  // from the pool would deadlock pool_size threads that each hold one.)
  job_insert_many_on(*c, params, &*c);
}

void PostgresStore::job_insert_many_on(Connection& c, const JobInsertManyParams& params, Connection* tables) {
  const auto groups = by_queue(params.jobs, [](const JobInsert& j) -> const std::string& { return j.queue; });
  if (tables != nullptr) {
    for (const auto& [queue, jobs] : groups) catalog_->ensure_queue(*tables, queue);
  } else {
    // Tables are made outside the caller's transaction, so a rollback there keeps them.
    auto own = pool_.acquire();
    for (const auto& [queue, jobs] : groups) catalog_->ensure_queue(*own, queue);
  }
  Statements statements;
  for (const auto& [queue, jobs] : groups) {
    std::vector<std::string> now_payloads;
    std::vector<std::string> later_payloads;
    std::vector<std::string> later_times;
    for (const auto* job : jobs) {
      if (job->run_at) {
        later_payloads.push_back(job->payload);
        later_times.push_back(fmt::format("{:.6f}", epoch_seconds(*job->run_at)));
      } else {
        now_payloads.push_back(job->payload);
      }
    }
    const std::string table = queue_table(queue);
    if (!now_payloads.empty()) {
      statements.emplace_back(
          fmt::format("INSERT INTO {} (vt, message) SELECT clock_timestamp(), t.m FROM unnest($1::jsonb[]) "
                      "WITH ORDINALITY AS t(m, i) ORDER BY t.i",
                      table),
          Params().add(array_literal(now_payloads)));
      // Delivered at commit, so a rolled-back enqueue wakes nobody.
      statements.emplace_back("SELECT pg_notify($1, '')", Params().add(insert_channel(queue)));
    }
    if (!later_payloads.empty()) {
      statements.emplace_back(
          fmt::format("INSERT INTO {} (vt, message) SELECT to_timestamp(t.at), t.m FROM "
                      "unnest($1::float8[], $2::jsonb[]) WITH ORDINALITY AS t(at, m, i) ORDER BY t.i",
                      table),
          Params().add(array_literal(later_times)).add(array_literal(later_payloads)));
    }
  }
  try {
    c.exec_pipelined(statements);  // one round trip, one transaction (or the caller's)
  } catch (const SqlError& e) {
    rethrow_as_payload_error(e);
  }
  listener_.wake();
}

std::vector<FetchedJob> PostgresStore::take_ready(Connection& c, const std::vector<std::string>& queues,
                                                  std::size_t max) {
  std::vector<FetchedJob> jobs;
  for (const auto& queue : queues) {
    if (jobs.size() >= max) break;
    const std::string table = queue_table(queue);
    // pgmq's read, with the chosen ids as an array: a join with them (pgmq's CTE) may
    // be planned as a hash join over a sequential scan of the whole queue once the
    // table's statistics say it is small, one scan per fetch; `= ANY(array)` is always
    // an index lookup per id.
    const Result r = c.exec(
        fmt::format("UPDATE {0} AS m SET vt = clock_timestamp() + make_interval(secs => $2), read_ct = m.read_ct + 1 "
                    "WHERE m.msg_id = ANY(ARRAY(SELECT msg_id FROM {0} WHERE vt <= clock_timestamp() "
                    "ORDER BY msg_id LIMIT $1 FOR UPDATE SKIP LOCKED)) "
                    "RETURNING m.msg_id, m.read_ct, m.message::text",
                    table),
        Params().add(static_cast<std::int64_t>(max - jobs.size())).add(seconds(options_.visibility_timeout)));
    const std::size_t first = jobs.size();
    for (int i = 0; i < r.rows(); ++i) {
      // A row without a message (pgmq allows it) is JSON null: it cannot run, and goes dead.
      std::string payload = r.is_null(i, 2) ? std::string("null") : std::string(r.text(i, 2));
      jobs.push_back({queue, std::move(payload), static_cast<std::uint64_t>(r.integer(i, 0)),
                      static_cast<std::uint64_t>(r.integer(i, 1))});
    }
    std::sort(jobs.begin() + static_cast<std::ptrdiff_t>(first), jobs.end(),
              [](const FetchedJob& a, const FetchedJob& b) { return a.receipt < b.receipt; });
  }
  return jobs;
}

std::vector<FetchedJob> PostgresStore::job_fetch(const JobFetchParams& params) {
  if (params.queues.empty() || params.max == 0) return {};
  std::vector<std::string> channels;
  {
    auto c = pool_.acquire();
    for (const auto& queue : params.queues) {
      catalog_->ensure_queue(*c, queue);
      channels.push_back(insert_channel(queue));
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + params.wait;
  if (params.wait.count() > 0) listener_.listen(channels, std::chrono::seconds(1));
  std::uint64_t seen = listener_.generation();
  std::vector<FetchedJob> jobs;
  {
    auto c = pool_.acquire();
    jobs = take_ready(*c, params.queues, params.max);
  }
  while (jobs.empty() && !params.stop.stop_requested()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    listener_.wait(seen, std::min(left, options_.poll_interval), params.stop);
    seen = listener_.generation();
    auto c = pool_.acquire();
    jobs = take_ready(*c, params.queues, params.max);
  }
  return jobs;
}

namespace {
/// The statement that completes the still-held deliveries $1, $2 of `queue` as
/// `on_success` says (delete or archive); with `report`, it returns each msg_id.
std::string complete_statement(const std::string& queue, PostgresOptions::Completion on_success, bool report) {
  const std::string table = queue_table(queue);
  const std::string_view returning = report ? " RETURNING msg_id" : "";
  if (on_success == PostgresOptions::Completion::archive) {
    return fmt::format(
        "WITH done AS (DELETE FROM {} AS m USING {} RETURNING m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message, "
        "m.headers) INSERT INTO {} (msg_id, read_ct, enqueued_at, vt, message, headers) "
        "SELECT msg_id, read_ct, enqueued_at, vt, message, headers FROM done{}",
        table, still_held, archive_table(queue), returning);
  }
  return fmt::format("DELETE FROM {} AS m USING {}{}", table, still_held, returning);
}
}  // namespace

void PostgresStore::job_complete(const JobCompleteParams& params) {
  if (params.jobs.empty()) return;
  Statements statements;
  for (const auto& [queue, jobs] : by_queue(params.jobs, [](const FetchedJob& j) { return j.queue; })) {
    statements.emplace_back(complete_statement(queue, options_.on_success, false), receipts(jobs));
  }
  auto c = pool_.acquire();
  c->exec_pipelined(statements);
}

bool PostgresStore::job_complete_given_back(const JobCompleteGivenBackParams& params) {
  // job_give_back made the message visible and left its read_ct: the delivery still
  // matches unless another process has read it since.
  auto c = pool_.acquire();
  return c->exec(complete_statement(params.job.queue, options_.on_success, true), receipts({&params.job})).rows() == 1;
}

void PostgresStore::job_give_back(const JobGiveBackParams& params) {
  if (params.jobs.empty()) return;
  Statements statements;
  for (const auto& [queue, jobs] : by_queue(params.jobs, [](const FetchedJob& j) { return j.queue; })) {
    // Visible now: the oldest message ids go first, so these are next in line.
    statements.emplace_back(fmt::format("UPDATE {} AS m SET vt = clock_timestamp() FROM {}", queue_table(queue), still_held),
                            receipts(jobs));
    statements.emplace_back("SELECT pg_notify($1, '')", Params().add(insert_channel(queue)));
  }
  auto c = pool_.acquire();
  c->exec_pipelined(statements);
  listener_.wake();
}

void PostgresStore::job_retry(const JobRetryParams& params) {
  const std::string& queue = params.queue;
  auto c = pool_.acquire();
  catalog_->ensure_queue(*c, queue);
  // A new row: read_ct 0 and a future vt make it a retry; its new msg_id puts it at the
  // back of its queue when due, as Sidekiq's poller does.
  try {
    c->exec(fmt::format("WITH gone AS (DELETE FROM {} WHERE msg_id = $1 AND read_ct = $2 RETURNING headers) "
                        "INSERT INTO {} (vt, message, headers) SELECT to_timestamp($3), $4::jsonb, gone.headers FROM gone",
                        queue_table(params.fetched.queue), queue_table(queue)),
            Params()
                .add(static_cast<std::int64_t>(params.fetched.receipt))
                .add(static_cast<std::int64_t>(params.fetched.delivery))
                .add(fmt::format("{:.6f}", epoch_seconds(params.retry_at)))
                .add(params.payload));
  } catch (const SqlError& e) {
    rethrow_as_payload_error(e);
  }
}

void PostgresStore::job_kill(const JobKillParams& params) {
  const std::string& queue = params.fetched.queue;
  auto c = pool_.acquire();
  // Not JSON (it came from jsonb, so only if a middleware broke it): kept as a JSON string.
  std::string payload = params.payload;
  try {
    (void)c->exec("SELECT $1::jsonb", Params().add(payload));
  } catch (const SqlError&) {
    payload = to_json(json::value(params.payload));
  }
  c->exec(fmt::format("WITH gone AS (DELETE FROM {} WHERE msg_id = $1 AND read_ct = $2 "
                      "RETURNING msg_id, read_ct, enqueued_at, vt, headers) "
                      "INSERT INTO {} (msg_id, read_ct, enqueued_at, archived_at, vt, message, headers) "
                      "SELECT msg_id, read_ct, enqueued_at, to_timestamp($3), vt, $4::jsonb, "
                      "coalesce(headers, '{{}}'::jsonb) || '{{\"x-errand-dead\": true}}'::jsonb FROM gone",
                      queue_table(queue), archive_table(queue)),
          Params()
              .add(static_cast<std::int64_t>(params.fetched.receipt))
              .add(static_cast<std::int64_t>(params.fetched.delivery))
              .add(fmt::format("{:.6f}", epoch_seconds(params.died_at)))
              .add(payload));
  trim_dead(*c, params.died_at, params.limits);
}

void PostgresStore::trim_dead(Connection& c, TimePoint now, const DeadSetLimits& limits) {
  Statements statements;
  for (const auto& queue : Catalog::queues(c)) {
    if (!catalog_->exists(c, queue)) continue;
    statements.emplace_back(
        fmt::format("DELETE FROM {} WHERE headers ? 'x-errand-dead' AND archived_at < to_timestamp($1)", archive_table(queue)),
        Params().add(fmt::format("{:.6f}", epoch_seconds(now - limits.max_age))));
  }
  c.exec_pipelined(statements);
  // As Sidekiq: the newest max_jobs - 1 stay.
  const std::string dead = union_over_queues(
      c, "SELECT '{queue}' AS queue, msg_id, archived_at FROM {table} WHERE headers ? 'x-errand-dead'", true);
  if (dead.empty()) return;
  const Result excess = c.exec(
      fmt::format("SELECT queue, msg_id FROM ({}) AS dead ORDER BY archived_at DESC, msg_id DESC OFFSET $1", dead),
      Params().add(static_cast<std::int64_t>(limits.max_jobs > 0 ? limits.max_jobs - 1 : 0)));
  std::map<std::string, std::vector<std::int64_t>> doomed;
  for (int i = 0; i < excess.rows(); ++i) doomed[std::string(excess.text(i, 0))].push_back(excess.integer(i, 1));
  statements.clear();
  for (const auto& [queue, ids] : doomed) {
    statements.emplace_back(fmt::format("DELETE FROM {} WHERE msg_id = ANY($1::bigint[])", archive_table(queue)),
                            Params().add(array_literal(ids)));
  }
  c.exec_pipelined(statements);
}

void PostgresStore::renew_leases(Connection& c, const std::vector<FetchedJob>& held) {
  Statements statements;
  for (const auto& [queue, jobs] : by_queue(held, [](const FetchedJob& j) { return j.queue; })) {
    Params params = receipts(jobs);
    params.add(seconds(options_.visibility_timeout));
    statements.emplace_back(
        fmt::format("UPDATE {} AS m SET vt = clock_timestamp() + make_interval(secs => $3) FROM {}", queue_table(queue),
                    still_held),
        std::move(params));
  }
  c.exec_pipelined(statements);
}

}  // namespace errand::pq
