#include "core/worker_pool.hpp"

#include <fmt/format.h>

namespace errand::detail {
namespace {
/// The pool whose thread this is, if any.
thread_local const WorkerPool* current_pool = nullptr;
}  // namespace

WorkerPool::WorkerPool(std::size_t threads, PrefetchRule prefetch, RunPace& pace, Handoff<FetchedJob>& handoff,
                       JobRunner& runner, GiveBack give_back)
    : prefetch_(prefetch), pace_(pace), handoff_(handoff), runner_(runner), give_back_(std::move(give_back)),
      slots_(threads) {}

void WorkerPool::start() {
  threads_.reserve(slots_.size());
  for (auto& slot : slots_) threads_.emplace_back([this, &slot] { work(slot); });
}

void WorkerPool::join() {
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

bool WorkerPool::on_worker_thread() const noexcept { return current_pool == this; }

void WorkerPool::work(Slot& slot) {
  current_pool = this;
  while (std::optional<FetchedJob> fetched = handoff_.pop()) {
    std::stop_token stop;
    {
      std::lock_guard lock(slot.mutex);
      slot.job = &*fetched;
      slot.started = Clock::now();
      slot.abandoned = false;
      slot.finishing = false;
      slot.given_back = false;
      stop = slot.stop.get_token();
    }
    // The job stays held (slot.job) until its outcome is in the store: a job listed in
    // progress but not held would be given back as stranded, and run twice.
    const auto claim_outcome = [&slot] {
      std::unique_lock lock(slot.mutex);
      if (slot.abandoned) {
        // Not before its pushed-back copy is in the queue: a late success removes it.
        slot.given_back_cv.wait(lock, [&slot] { return slot.given_back; });
        return false;
      }
      slot.finishing = true;
      return true;
    };
    const auto started = std::chrono::steady_clock::now();
    try {
      runner_.run(*fetched, std::move(stop), claim_outcome);
    } catch (...) {
      // run() records every outcome itself; getting here means even that failed
      // (out of memory, say). Push the job back rather than lose it.
      bool owned = false;
      {
        std::lock_guard lock(slot.mutex);
        owned = !slot.abandoned;
      }
      if (owned) give_back_({*fetched}, "its outcome could not be recorded");
    }
    {
      std::lock_guard lock(slot.mutex);
      slot.job = nullptr;
      slot.finishing = false;
    }
    pace_.add(std::chrono::steady_clock::now() - started);
    handoff_.done(hold_limit(slots_.size(), prefetch_, pace_.mean()));
  }
}

std::vector<BusyJob> WorkerPool::busy() {
  std::vector<BusyJob> busy;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    std::lock_guard lock(slots_[i].mutex);
    if (slots_[i].job == nullptr) continue;
    busy.push_back({fmt::format("t{}", i + 1), slots_[i].job->queue, slots_[i].job->payload, slots_[i].started});
  }
  return busy;
}

std::vector<FetchedJob> WorkerPool::held() {
  std::vector<FetchedJob> held;
  handoff_.for_each_waiting([&](const FetchedJob& job) { held.push_back(job); });
  for (auto& slot : slots_) {
    std::lock_guard lock(slot.mutex);
    if (slot.job != nullptr && !slot.abandoned) held.push_back(*slot.job);
  }
  return held;
}

void WorkerPool::given_back() {
  for (auto& slot : slots_) {
    {
      std::lock_guard lock(slot.mutex);
      if (!slot.abandoned) continue;
      slot.given_back = true;
    }
    slot.given_back_cv.notify_all();
  }
}

std::vector<FetchedJob> WorkerPool::abandon_running() {
  std::vector<FetchedJob> running;
  for (auto& slot : slots_) {
    std::lock_guard lock(slot.mutex);
    if (slot.job == nullptr || slot.finishing || slot.abandoned) continue;  // each given back once
    slot.abandoned = true;
    slot.stop.request_stop();
    running.push_back(*slot.job);
  }
  return running;
}

}  // namespace errand::detail
