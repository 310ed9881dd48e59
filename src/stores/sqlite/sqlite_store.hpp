// The SQLite store (see errand/sqlite.hpp and docs/sqlite.md).
#pragma once

#include <errand/sqlite.hpp>
#include <errand/store.hpp>

#include "sqlite/database.hpp"

#include <condition_variable>
#include <mutex>

namespace errand::sqlite {

class SqliteStore final : public Store, public HeldJobs, public StoreAdmin {
 public:
  explicit SqliteStore(const SqliteOptions& options);

  [[nodiscard]] std::string_view name() const noexcept override { return "sqlite"; }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    return {.blocking_fetch = true, .reliable_fetch = true};
  }
  [[nodiscard]] StoreTuning tuning() const noexcept override { return {.prefetch_limit = 1000}; }
  [[nodiscard]] HeldJobs* held_jobs() noexcept override { return this; }
  [[nodiscard]] StoreAdmin* admin() noexcept override { return this; }

  // Jobs (sqlite_store.cpp)
  void job_insert_many(const JobInsertManyParams& params) override;
  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override;
  void job_complete(const JobCompleteParams& params) override;
  void job_give_back(const JobGiveBackParams& params) override;
  bool job_complete_given_back(const JobCompleteGivenBackParams& params) override;
  void job_retry(const JobRetryParams& params) override;
  void job_kill(const JobKillParams& params) override;
  std::size_t job_schedule_due(const JobScheduleDueParams& params) override;

  // Held jobs (sqlite_store.cpp)
  std::size_t job_give_back_orphaned(const JobGiveBackOrphanedParams& params) override;
  std::vector<std::string> job_list_held(const JobListHeldParams& params) override;
  std::size_t job_give_back_stranded(const JobGiveBackStrandedParams& params) override;

  // Processes (sqlite_processes.cpp)
  ProcessBeatResult process_beat(const ProcessBeatParams& params) override;
  void process_stop(const ProcessStopParams& params) override;
  std::int64_t process_count() override;

  // Admin (sqlite_admin.cpp)
  StoreStats stats() override;
  std::vector<std::string> queue_names() override;
  std::int64_t queue_size(const QueueSizeParams& params) override;
  std::size_t queue_clear(const QueueClearParams& params) override;
  std::vector<SetEntry> set_list(const SetListParams& params) override;
  std::int64_t set_size(const SetSizeParams& params) override;
  std::size_t set_enqueue_now(const SetChangeParams& params) override;
  std::size_t set_delete(const SetChangeParams& params) override;

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
