// The SQLite store (see errand/sqlite.hpp and docs/sqlite.md).
#pragma once

#include <errand/sqlite.hpp>
#include <errand/store.hpp>

#include "sqlite/database.hpp"

#include <condition_variable>
#include <mutex>

namespace errand::sqlite {

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options);

  [[nodiscard]] std::string_view name() const noexcept override { return "sqlite"; }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    return {.blocking_fetch = true, .reliable_fetch = true};
  }
  [[nodiscard]] StoreTuning tuning() const noexcept override { return {.prefetch_limit = 1000}; }

  // Jobs (sqlite_store.cpp)
  void job_insert_many(const JobInsertManyParams& params) override;
  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override;
  void job_complete(const JobCompleteParams& params) override;
  void job_requeue(const JobRequeueParams& params) override;
  bool job_complete_late(const JobCompleteLateParams& params) override;
  void job_retry(const JobRetryParams& params) override;
  void job_kill(const JobKillParams& params) override;
  std::size_t job_schedule_due(const JobScheduleDueParams& params) override;
  std::size_t job_rescue_orphans(const JobRescueParams& params) override;
  std::vector<std::string> job_in_progress(std::string_view owner) override;
  std::size_t job_reclaim(const JobReclaimParams& params) override;

  // Processes, stats, listings (sqlite_processes.cpp)
  ProcessBeatResult process_beat(const ProcessBeatParams& params) override;
  void process_stop(std::string_view identity) override;
  std::int64_t process_count() override;
  StoreStats stats() override;
  std::int64_t queue_size(std::string_view queue) override;
  std::vector<std::string> queue_names() override;
  std::vector<SetEntry> set_entries(JobSet set, std::size_t limit) override;
  std::int64_t set_size(JobSet set) override;

  // Admin operations (sqlite_admin.cpp)
  std::size_t set_enqueue_now(JobSet set, const SetSelection& which) override;
  std::size_t set_delete(JobSet set, const SetSelection& which) override;
  std::size_t queue_clear(std::string_view queue) override;

 private:
  std::vector<FetchedJob> take_ready(Connection& c, const JobFetchParams& params);
  /// Makes the running job `id` (held by `owner`) ready again, first in its queue.
  static bool make_first(Connection& c, std::int64_t id, std::string_view owner);
  /// Wakes fetches of this process waiting for jobs.
  void notify();

  Pool pool_;
  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  std::uint64_t wake_count_ = 0;
};

}  // namespace errand::sqlite
