#include "core/completions.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace errand::detail {

void Completions::start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
}

void Completions::add(const FetchedJob& job) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(job);
  }
  added_.notify_one();
}

std::vector<FetchedJob> Completions::pending() {
  std::lock_guard lock(mutex_);
  std::vector<FetchedJob> jobs = writing_;
  jobs.insert(jobs.end(), queued_.begin(), queued_.end());
  return jobs;
}

void Completions::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  added_.notify_one();
  thread_.join();
}

void Completions::run(const std::stop_token& stop) {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      added_.wait(lock, stop, [&] { return !queued_.empty(); });
      if (queued_.empty()) return;  // stopped, and everything is written
      const std::size_t take = std::min(queued_.size(), max_batch);
      writing_.assign(std::make_move_iterator(queued_.begin()),
                      std::make_move_iterator(queued_.begin() + static_cast<std::ptrdiff_t>(take)));
      queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(take));
    }
    write(writing_);
    std::lock_guard lock(mutex_);
    writing_.clear();
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
