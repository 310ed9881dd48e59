// What the Fake and Inline stores share: the workers and server middleware that run a
// job, the end of the scope, and a refusal for every store operation a test mode has no
// use (fetching, acknowledging: those belong to a real store and a Processor).
#pragma once

#include <errand/logger.hpp>
#include <errand/middleware.hpp>
#include <errand/registry.hpp>
#include <errand/store.hpp>

#include <atomic>
#include <memory>
#include <string_view>

namespace errand::testing::detail {

class TestingStore : public Store {
 public:
  TestingStore(WorkerRegistry workers, std::shared_ptr<Logger> logger);

  [[nodiscard]] StoreCapabilities capabilities() const noexcept override { return {}; }

  WorkerRegistry& registry() noexcept { return workers_; }
  void use(ServerMiddleware middleware) { middleware_.add(std::move(middleware)); }

  /// After this, job_insert_many throws: the scope that owned the store has ended.
  void close() noexcept { closed_.store(true, std::memory_order_release); }

  /// The worker registered for `class_name`. Throws errand::UnknownWorkerError when none is.
  const WorkerRegistry::Entry& worker_for(std::string_view class_name, std::string_view jid) const;
  /// Runs `job` through the server middleware and its worker, as a Processor does, and
  /// lets its exception out. A detail::ArgMismatch escaping perform becomes an
  /// errand::ArgumentError.
  void perform(Job job) const;

  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override;
  void job_complete(const JobCompleteParams& params) override;
  void job_give_back(const JobGiveBackParams& params) override;
  void job_retry(const JobRetryParams& params) override;
  void job_kill(const JobKillParams& params) override;
  std::size_t job_schedule_due(const JobScheduleDueParams& params) override;
  ProcessBeatResult process_beat(const ProcessBeatParams& params) override;
  void process_stop(const ProcessStopParams& params) override;
  std::int64_t process_count() override;
  // No held_jobs() and no admin(): a test inspects jobs through its Fake or Inline.

 protected:
  /// Throws errand::Error naming `class_name` when the scope has ended.
  void check_open(std::string_view class_name) const;

 private:
  [[noreturn]] void unsupported(std::string_view operation) const;

  WorkerRegistry workers_;
  ServerMiddlewareChain middleware_;
  std::shared_ptr<Logger> logger_;
  std::atomic<bool> closed_{false};
};

}  // namespace errand::testing::detail
