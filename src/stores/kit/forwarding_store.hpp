// A store that passes every operation to another one: derive from it and override
// only what differs (a Postgres transaction's enqueues, a test's slow acknowledgements).
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

  void job_insert_many(const JobInsertManyParams& p) override { inner_->job_insert_many(p); }
  std::vector<FetchedJob> job_fetch(const JobFetchParams& p) override { return inner_->job_fetch(p); }
  void job_complete(const JobCompleteParams& p) override { inner_->job_complete(p); }
  void job_requeue(const JobRequeueParams& p) override { inner_->job_requeue(p); }
  bool job_complete_late(const JobCompleteLateParams& p) override { return inner_->job_complete_late(p); }
  void job_retry(const JobRetryParams& p) override { inner_->job_retry(p); }
  void job_kill(const JobKillParams& p) override { inner_->job_kill(p); }
  std::size_t job_schedule_due(const JobScheduleDueParams& p) override { return inner_->job_schedule_due(p); }
  std::size_t job_rescue_orphans(const JobRescueParams& p) override { return inner_->job_rescue_orphans(p); }
  std::vector<std::string> job_in_progress(std::string_view owner) override { return inner_->job_in_progress(owner); }
  std::size_t job_reclaim(const JobReclaimParams& p) override { return inner_->job_reclaim(p); }

  ProcessBeatResult process_beat(const ProcessBeatParams& p) override { return inner_->process_beat(p); }
  void process_stop(std::string_view id) override { inner_->process_stop(id); }
  std::int64_t process_count() override { return inner_->process_count(); }
  StoreStats stats() override { return inner_->stats(); }

  std::int64_t queue_size(std::string_view q) override { return inner_->queue_size(q); }
  std::vector<std::string> queue_names() override { return inner_->queue_names(); }
  std::vector<SetEntry> set_entries(JobSet s, std::size_t n) override { return inner_->set_entries(s, n); }
  std::int64_t set_size(JobSet s) override { return inner_->set_size(s); }
  std::size_t set_enqueue_now(JobSet s, const SetSelection& w) override { return inner_->set_enqueue_now(s, w); }
  std::size_t set_delete(JobSet s, const SetSelection& w) override { return inner_->set_delete(s, w); }
  std::size_t queue_clear(std::string_view q) override { return inner_->queue_clear(q); }

 protected:
  [[nodiscard]] Store& inner() const noexcept { return *inner_; }

 private:
  std::shared_ptr<Store> inner_;
};

}  // namespace errand::detail
