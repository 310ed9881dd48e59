// The Postgres store (see errand/postgres.hpp and docs/postgres.md).
//
// Where each job is, in pgmq's terms:
//   ready      a row in pgmq.q_<queue> with vt <= now
//   scheduled  a row with vt > now, read_ct = 0, no retry_count in its message
//   retrying   a row with vt > now, read_ct = 0, a retry_count in its message
//   running    a row with vt > now and read_ct > 0: vt is the lease, renewed by heartbeats
//   dead       a row in pgmq.a_<queue> whose headers carry "x-errand-dead"
#pragma once

#include <errand/postgres.hpp>
#include <errand/store.hpp>

#include "postgres/catalog.hpp"
#include "postgres/listener.hpp"
#include "postgres/pool.hpp"

namespace errand::pq {

class PostgresStore final : public Store, public StoreAdmin {
 public:
  explicit PostgresStore(const PostgresOptions& options);

  [[nodiscard]] std::string_view name() const noexcept override { return "postgres"; }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    return {.blocking_fetch = true,
            .reliable_fetch = true,
            .leases = true,
            .schedules_itself = true,
            .verbatim_payloads = false,
            .any_queue_name = false};
  }
  [[nodiscard]] StoreTuning tuning() const noexcept override { return {.prefetch_limit = 1000}; }
  void check_queue_name(std::string_view queue) const override { validate_pgmq_queue_name(queue); }
  /// No HeldJobs: a fetched job comes back when its lease (pgmq's vt) runs out.
  [[nodiscard]] StoreAdmin* admin() noexcept override { return this; }

  // Jobs (postgres_jobs.cpp)
  void job_insert_many(const JobInsertManyParams& params) override;
  /// job_insert_many on a connection of the caller's, inside their transaction. Missing
  /// queue tables are made on `tables` (idle, outside any transaction), or on a pooled
  /// connection when null.
  void job_insert_many_on(Connection& c, const JobInsertManyParams& params, Connection* tables = nullptr);
  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override;
  void job_complete(const JobCompleteParams& params) override;
  void job_give_back(const JobGiveBackParams& params) override;
  bool job_complete_given_back(const JobCompleteGivenBackParams& params) override;
  void job_retry(const JobRetryParams& params) override;
  void job_kill(const JobKillParams& params) override;
  // No job_schedule_due: a scheduled job is a message whose vt is in the future.

  // Processes (postgres_processes.cpp)
  ProcessBeatResult process_beat(const ProcessBeatParams& params) override;
  void process_stop(const ProcessStopParams& params) override;
  std::int64_t process_count() override;

  // Admin (postgres_admin.cpp)
  StoreStats stats() override;
  std::vector<std::string> queue_names() override;
  std::int64_t queue_size(const QueueSizeParams& params) override;
  std::size_t queue_clear(const QueueClearParams& params) override;
  std::vector<SetEntry> set_list(const SetListParams& params) override;
  std::int64_t set_size(const SetSizeParams& params) override;
  std::size_t set_enqueue_now(const SetChangeParams& params) override;
  std::size_t set_delete(const SetChangeParams& params) override;

  [[nodiscard]] const PostgresOptions& options() const noexcept { return options_; }

 private:
  std::vector<FetchedJob> take_ready(Connection& c, const std::vector<std::string>& queues, std::size_t max);
  /// Renews the leases of jobs this process still holds.
  void renew_leases(Connection& c, const std::vector<FetchedJob>& held);
  /// Trims the dead set to its limits, across all queues.
  void trim_dead(Connection& c, TimePoint now, const DeadSetLimits& limits);
  /// The queues in pgmq.meta whose tables errand can name.
  static std::vector<std::string> table_queues(Connection& c);
  /// The (msg_id, payload) of the rows of `set` in `queue` that `which` selects.
  static std::vector<std::pair<std::int64_t, std::string>> selected_rows(Connection& c, JobSet set,
                                                                          std::string_view queue,
                                                                          const SetSelection& which);
  /// A query over every queue's table: `part` with {table} and {queue} filled in, UNION ALL'ed.
  std::string union_over_queues(Connection& c, std::string_view part, bool archive);

  PostgresOptions options_;
  Pool pool_;
  std::unique_ptr<Catalog> catalog_;
  Listener listener_;
};

}  // namespace errand::pq
