// Fake mode: a store that keeps what it is given, per job class, to inspect and run on demand.
#include <errand/error.hpp>
#include <errand/testing.hpp>

#include "testing/testing_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

namespace errand::testing {
namespace detail {

class FakeStore final : public TestingStore {
 public:
  using TestingStore::TestingStore;

  [[nodiscard]] std::string_view name() const noexcept override { return "testing::Fake"; }

  void job_insert_many(const JobInsertManyParams& params) override {
    std::vector<CapturedJob> batch;
    batch.reserve(params.jobs.size());
    for (const JobInsert& insert : params.jobs) {
      Job job = Job::parse(insert.payload);
      check_open(job.class_name());
      batch.push_back({insert.jid, insert.queue, insert.payload, insert.run_at, std::move(job)});
    }
    const std::lock_guard lock(mutex_);
    for (CapturedJob& captured : batch) {
      by_class_[std::string(captured.job.class_name())].push_back({next_sequence_++, std::move(captured)});
    }
  }

  /// `class_name`'s jobs, or every class's when nullopt, oldest first.
  std::vector<CapturedJob> jobs(std::optional<std::string_view> class_name) const {
    const std::lock_guard lock(mutex_);
    std::vector<const Waiting*> found;
    for (const auto& [name, waiting] : by_class_) {
      if (class_name && name != *class_name) continue;
      for (const Waiting& w : waiting) found.push_back(&w);
    }
    std::sort(found.begin(), found.end(), [](const Waiting* a, const Waiting* b) { return a->sequence < b->sequence; });
    std::vector<CapturedJob> out;
    out.reserve(found.size());
    for (const Waiting* w : found) out.push_back(w->job);
    return out;
  }

  std::size_t size(std::optional<std::string_view> class_name) const {
    const std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& [name, waiting] : by_class_) {
      if (!class_name || name == *class_name) count += waiting.size();
    }
    return count;
  }

  /// Removes and returns the oldest job of `class_name` (of any class when nullopt), or
  /// nullopt when there is none. Throws errand::UnknownWorkerError, leaving the job
  /// where it is, when its class has no worker to run it.
  std::optional<CapturedJob> take_oldest(std::optional<std::string_view> class_name) {
    const std::lock_guard lock(mutex_);
    auto oldest = by_class_.end();
    for (auto it = by_class_.begin(); it != by_class_.end(); ++it) {
      if (class_name && it->first != *class_name) continue;
      if (oldest == by_class_.end() || it->second.front().sequence < oldest->second.front().sequence) oldest = it;
    }
    if (oldest == by_class_.end()) return std::nullopt;
    std::deque<Waiting>& waiting = oldest->second;
    (void)worker_for(oldest->first, waiting.front().job.jid);
    CapturedJob job = std::move(waiting.front().job);
    waiting.pop_front();
    if (waiting.empty()) by_class_.erase(oldest);
    return job;
  }

  std::size_t clear(std::optional<std::string_view> class_name) {
    const std::lock_guard lock(mutex_);
    std::size_t cleared = 0;
    for (auto it = by_class_.begin(); it != by_class_.end();) {
      if (class_name && it->first != *class_name) {
        ++it;
        continue;
      }
      cleared += it->second.size();
      it = by_class_.erase(it);
    }
    return cleared;
  }

 private:
  struct Waiting {
    std::uint64_t sequence;  ///< order of arrival across classes
    CapturedJob job;
  };

  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Waiting>, std::less<>> by_class_;  ///< never holds an empty deque
  std::uint64_t next_sequence_ = 0;
};

/// Runs the oldest job of `class_name` (of any class when nullopt) until none is left.
std::size_t run_until_empty(FakeStore& store, std::optional<std::string_view> class_name) {
  std::size_t ran = 0;
  while (std::optional<CapturedJob> next = store.take_oldest(class_name)) {
    store.perform(std::move(next->job));
    ++ran;
  }
  return ran;
}

}  // namespace detail

Fake::Fake(WorkerRegistry workers, std::shared_ptr<Logger> logger)
    : Fake(std::make_shared<detail::FakeStore>(std::move(workers), std::move(logger))) {}

Fake::Fake(std::shared_ptr<detail::FakeStore> store) : Scope(store), captured_(std::move(store)) {}

std::vector<CapturedJob> Fake::jobs(std::string_view class_name) const { return captured_->jobs(class_name); }
std::vector<CapturedJob> Fake::jobs() const { return captured_->jobs(std::nullopt); }
std::size_t Fake::size(std::string_view class_name) const { return captured_->size(class_name); }
std::size_t Fake::size() const { return captured_->size(std::nullopt); }
std::size_t Fake::clear(std::string_view class_name) { return captured_->clear(class_name); }
std::size_t Fake::clear() { return captured_->clear(std::nullopt); }

std::size_t Fake::drain(std::string_view class_name) { return detail::run_until_empty(*captured_, class_name); }
std::size_t Fake::drain_all() { return detail::run_until_empty(*captured_, std::nullopt); }

void Fake::perform_one(std::string_view class_name) {
  std::optional<CapturedJob> next = captured_->take_oldest(class_name);
  if (!next) {
    throw Error(fmt::format("errand::testing: perform_one found no {} job in the testing::Fake ({} job(s) of other "
                            "classes wait); enqueue one first, or check the worker's class_name",
                            class_name, captured_->size(std::nullopt)));
  }
  captured_->perform(std::move(next->job));
}

}  // namespace errand::testing
