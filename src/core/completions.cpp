#include "core/completions.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

namespace errand::detail {

void Completions::start() {
  if (limit_() == 0) return;
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void Completions::add(const FetchedJob& job) {
  const std::size_t limit = limit_();
  if (limit > 0) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return stopped_ || queued_.size() + writing_.size() < limit; });
    if (!stopped_) {
      queued_.push_back(job);
      lock.unlock();
      added_.notify_one();
      return;
    }
  }
  write({job});  // synchronous (limit 0), or after stop(): nobody else would write it
}

void Completions::complete_given_back(const FetchedJob& job, std::string_view class_name, std::string_view jid) {
  std::string outcome;
  try {
    outcome = store_.job_complete_given_back({.job = job})
                  ? "its pushed-back copy was removed, so it will not run again"
                  : "it was pushed back to its queue and will run again (another process has it, or this store "
                    "cannot take it back)";
  } catch (const std::exception& e) {
    outcome = fmt::format("removing its pushed-back copy failed ({}); it will run again", e.what());
  }
  log_safely(logger_, LogLevel::warn, [&] {
    return fmt::format("class={} jid={} queue={} finished after shutdown had given it back: {}", class_name, jid,
                       job.queue, outcome);
  });
}

std::vector<FetchedJob> Completions::pending() {
  std::lock_guard lock(mutex_);
  std::vector<FetchedJob> jobs = writing_;
  jobs.insert(jobs.end(), queued_.begin(), queued_.end());
  return jobs;
}

void Completions::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    added_.notify_one();
    thread_.join();
  }
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  room_.notify_all();
}

void Completions::run(const std::stop_token& stop) {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      added_.wait(lock, stop, [&] { return !queued_.empty(); });
      if (queued_.empty()) return;  // stopped, and everything is written
      writing_.swap(queued_);       // queued_ holds at most limit_ jobs: one batch
    }
    write(writing_);
    {
      std::lock_guard lock(mutex_);
      writing_.clear();
    }
    room_.notify_all();
  }
}

void Completions::write(const std::vector<FetchedJob>& batch) {
  try {
    store_.job_complete({batch, owner_});
  } catch (const std::exception& e) {
    log_safely(logger_, LogLevel::error, [&] {
      return fmt::format("errand: acknowledging {} finished job(s) failed: {}; they stay in progress in the store "
                         "and will be given back and run again",
                         batch.size(), e.what());
    });
  }
}

}  // namespace errand::detail
