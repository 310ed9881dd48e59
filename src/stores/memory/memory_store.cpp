// The in-process store: Sidekiq's data model (lists and sorted sets) in this process's memory.
#include <errand/error.hpp>
#include <errand/memory.hpp>

#include "kit/store_support.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>

namespace errand {
namespace {

class MemoryStore final : public Store, public StoreAdmin {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "memory"; }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    return {.blocking_fetch = true, .reliable_fetch = false};
  }
  [[nodiscard]] StoreAdmin* admin() noexcept override { return this; }

  void job_insert_many(const JobInsertManyParams& params) override {
    {
      std::lock_guard lock(mutex_);
      for (const auto& job : params.jobs) {
        if (job.run_at) {
          set(JobSet::scheduled).emplace(*job.run_at, job.payload);
        } else {
          queue_names_.insert(job.queue);
          queues_[job.queue].push_front(job.payload);  // LPUSH: the head holds the newest
        }
      }
    }
    job_ready_.notify_all();
  }

  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override {
    std::unique_lock lock(mutex_);
    std::vector<FetchedJob> out = take(params);
    if (out.empty() && params.wait.count() > 0) {
      job_ready_.wait_for(lock, params.stop, params.wait, [&] { return any_ready(params.queues); });
      out = take(params);
    }
    return out;
  }

  void job_complete(const JobCompleteParams& /*params*/) override {}

  void job_give_back(const JobGiveBackParams& params) override {
    {
      std::lock_guard lock(mutex_);
      // RPUSH in reverse, so the first job given is the next one fetched.
      for (auto it = params.jobs.rbegin(); it != params.jobs.rend(); ++it) queues_[it->queue].push_back(it->payload);
    }
    job_ready_.notify_all();
  }

  bool job_complete_given_back(const JobCompleteGivenBackParams& params) override {
    std::lock_guard lock(mutex_);
    auto& queue = queues_[params.job.queue];
    const auto it = std::find(queue.begin(), queue.end(), params.job.payload);
    if (it == queue.end()) return false;
    queue.erase(it);
    return true;
  }

  void job_retry(const JobRetryParams& params) override {
    std::lock_guard lock(mutex_);
    set(JobSet::retry).emplace(params.retry_at, params.payload);
  }

  void job_kill(const JobKillParams& params) override {
    std::lock_guard lock(mutex_);
    auto& dead = set(JobSet::dead);
    dead.emplace(params.died_at, params.payload);
    dead.erase(dead.begin(), dead.lower_bound(params.died_at - params.limits.max_age));
    // As Sidekiq's `ZREMRANGEBYRANK dead 0 -max_jobs`: keeps the newest max_jobs - 1.
    while (!dead.empty() && dead.size() >= params.limits.max_jobs) dead.erase(dead.begin());
  }

  std::size_t job_schedule_due(const JobScheduleDueParams& params) override {
    std::size_t moved = 0;
    {
      std::lock_guard lock(mutex_);
      for (const JobSet from : {JobSet::retry, JobSet::scheduled}) {
        auto& jobs = set(from);
        while (moved < params.max && !jobs.empty() && jobs.begin()->first <= params.now) {
          detail::DueJob ready = detail::due_job(jobs.begin()->second, params.now, sidekiq_version());
          jobs.erase(jobs.begin());
          queue_names_.insert(ready.queue);
          queues_[ready.queue].push_front(std::move(ready.payload));
          ++moved;
        }
      }
    }
    if (moved > 0) job_ready_.notify_all();
    return moved;
  }

  ProcessBeatResult process_beat(const ProcessBeatParams& params) override {
    std::lock_guard lock(mutex_);
    stats_.processed += static_cast<std::int64_t>(params.processed);
    stats_.failed += static_cast<std::int64_t>(params.failed);
    processes_.insert(params.identity);
    return {};
  }

  void process_stop(const ProcessStopParams& params) override {
    std::lock_guard lock(mutex_);
    processes_.erase(params.identity);
  }

  std::int64_t process_count() override {
    std::lock_guard lock(mutex_);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(processes_.size()));
  }

  StoreStats stats() override {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  std::int64_t queue_size(const QueueSizeParams& params) override {
    std::lock_guard lock(mutex_);
    const auto it = queues_.find(params.queue);
    return it == queues_.end() ? 0 : static_cast<std::int64_t>(it->second.size());
  }

  std::vector<std::string> queue_names() override {
    std::lock_guard lock(mutex_);
    return {queue_names_.begin(), queue_names_.end()};
  }

  std::vector<SetEntry> set_list(const SetListParams& params) override {
    std::lock_guard lock(mutex_);
    std::vector<SetEntry> out;
    for (const auto& [at, payload] : set(params.set)) {
      if (out.size() >= params.limit) break;
      out.push_back({at, payload});
    }
    return out;
  }

  std::int64_t set_size(const SetSizeParams& params) override {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(set(params.set).size());
  }

  std::size_t set_enqueue_now(const SetChangeParams& params) override {
    std::size_t moved = 0;
    {
      std::lock_guard lock(mutex_);
      auto& jobs = set(params.set);
      for (auto it = jobs.begin(); it != jobs.end();) {
        if (!detail::selected(it->second, params.which)) {
          ++it;
          continue;
        }
        const std::string queue = detail::queue_of(it->second);
        queue_names_.insert(queue);
        queues_[queue].push_front(detail::for_manual_retry(it->second));
        it = jobs.erase(it);
        ++moved;
      }
    }
    if (moved > 0) job_ready_.notify_all();
    return moved;
  }

  std::size_t set_delete(const SetChangeParams& params) override {
    std::lock_guard lock(mutex_);
    return std::erase_if(set(params.set),
                         [&](const auto& entry) { return detail::selected(entry.second, params.which); });
  }

  std::size_t queue_clear(const QueueClearParams& params) override {
    std::lock_guard lock(mutex_);
    const auto it = queues_.find(params.queue);
    if (it == queues_.end()) return 0;
    const std::size_t cleared = it->second.size();
    it->second.clear();
    return cleared;
  }

  std::vector<std::string> contents(std::string_view queue) {
    std::lock_guard lock(mutex_);
    const auto it = queues_.find(std::string(queue));
    if (it == queues_.end()) return {};
    return {it->second.rbegin(), it->second.rend()};
  }

 private:
  std::multimap<TimePoint, std::string>& set(JobSet which) { return sets_[static_cast<std::size_t>(which)]; }

  bool any_ready(const std::vector<std::string>& queues) const {
    for (const auto& name : queues) {
      const auto it = queues_.find(name);
      if (it != queues_.end() && !it->second.empty()) return true;
    }
    return false;
  }

  std::vector<FetchedJob> take(const JobFetchParams& params) {
    std::vector<FetchedJob> out;
    for (const auto& name : params.queues) {
      const auto it = queues_.find(name);
      if (it == queues_.end()) continue;
      auto& list = it->second;
      while (!list.empty() && out.size() < params.max) {
        out.push_back({name, std::move(list.back()), 0});
        list.pop_back();
      }
      if (out.size() >= params.max) break;
    }
    return out;
  }

  std::mutex mutex_;
  std::condition_variable_any job_ready_;
  std::map<std::string, std::deque<std::string>, std::less<>> queues_;
  std::set<std::string> queue_names_;
  std::multimap<TimePoint, std::string> sets_[3];
  std::set<std::string> processes_;
  StoreStats stats_;
};

}  // namespace

std::shared_ptr<Store> make_memory_store() { return std::make_shared<MemoryStore>(); }

std::vector<std::string> memory_queue_contents(Store& memory_store, std::string_view queue) {
  auto* memory = dynamic_cast<MemoryStore*>(&memory_store);
  if (memory == nullptr) {
    throw ConfigError(std::string("errand: memory_queue_contents needs a memory store, got a ") +
                      std::string(memory_store.name()) + " store");
  }
  return memory->contents(queue);
}

}  // namespace errand
