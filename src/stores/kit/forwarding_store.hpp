// A store that passes every operation to another one: derive from it and override
// only what differs (a Postgres transaction's enqueues, a test's slow acknowledgements).
// held_jobs(), admin() and periodic() are the inner store's, so a wrapper keeps its parts.
#pragma once

#include <errand/store.hpp>

#include <memory>
#include <utility>

namespace errand::detail {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return inner_->name(); }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override { return inner_->capabilities(); }
  [[nodiscard]] StoreTuning tuning() const noexcept override { return inner_->tuning(); }
  [[nodiscard]] SidekiqVersion sidekiq_version() const noexcept override { return inner_->sidekiq_version(); }
  void check_queue_name(std::string_view queue) const override { inner_->check_queue_name(queue); }
  [[nodiscard]] HeldJobs* held_jobs() noexcept override { return inner_->held_jobs(); }
  [[nodiscard]] StoreAdmin* admin() noexcept override { return inner_->admin(); }
  [[nodiscard]] FetchConnections* fetch_connections() noexcept override { return inner_->fetch_connections(); }
  [[nodiscard]] PeriodicJobs* periodic() noexcept override { return inner_->periodic(); }

  void job_insert_many(const JobInsertManyParams& p) override { inner_->job_insert_many(p); }
  std::vector<FetchedJob> job_fetch(const JobFetchParams& p) override { return inner_->job_fetch(p); }
  void job_complete(const JobCompleteParams& p) override { inner_->job_complete(p); }
  void job_give_back(const JobGiveBackParams& p) override { inner_->job_give_back(p); }
  bool job_complete_given_back(const JobCompleteGivenBackParams& p) override {
    return inner_->job_complete_given_back(p);
  }
  void job_retry(const JobRetryParams& p) override { inner_->job_retry(p); }
  void job_kill(const JobKillParams& p) override { inner_->job_kill(p); }
  std::size_t job_schedule_due(const JobScheduleDueParams& p) override { return inner_->job_schedule_due(p); }

  ProcessBeatResult process_beat(const ProcessBeatParams& p) override { return inner_->process_beat(p); }
  void process_stop(const ProcessStopParams& p) override { inner_->process_stop(p); }
  std::int64_t process_count() override { return inner_->process_count(); }

 protected:
  [[nodiscard]] Store& inner() const noexcept { return *inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

}  // namespace errand::detail
