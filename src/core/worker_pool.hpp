// The worker threads: each takes jobs from the hand-off and runs them, keeping track
// of what it runs so that a heartbeat can report it and a shutdown can push it back.
#pragma once

#include <errand/store.hpp>

#include "core/handoff.hpp"
#include "core/job_runner.hpp"
#include "core/pace.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace errand::detail {

class WorkerPool {
 public:
  /// Pushes jobs back to their queues; must not throw.
  using GiveBack = std::function<void(std::vector<FetchedJob> jobs, std::string_view why)>;

  /// Each run's duration goes into `pace`; the hand-off then holds as many jobs beyond
  /// the running ones as `prefetch` allows at that pace (see hold_limit).
  WorkerPool(std::size_t threads, PrefetchRule prefetch, RunPace& pace, Handoff<FetchedJob>& handoff,
             JobRunner& runner, GiveBack give_back);

  void start();
  /// Waits for every thread to end (they end once the hand-off is closed).
  void join();
  /// True on one of this pool's threads.
  [[nodiscard]] bool on_worker_thread() const noexcept;

  /// The jobs running now, for the heartbeat.
  [[nodiscard]] std::vector<BusyJob> busy();
  /// Every job held in memory: waiting in the hand-off, or running (but not the running
  /// jobs given back by abandon_running(): their threads may still be ending).
  [[nodiscard]] std::vector<FetchedJob> held();
  /// Gives up the running jobs: fires their stop tokens and returns them, so that the
  /// caller pushes them back, then calls given_back(); their outcomes will not be
  /// recorded (a job that ends meanwhile waits for given_back() before it says so).
  [[nodiscard]] std::vector<FetchedJob> abandon_running();
  /// The jobs abandon_running() returned are back in their queues (or could not be put
  /// there): their threads may go on.
  void given_back();

 private:
  struct Slot {
    std::mutex mutex;
    const FetchedJob* job = nullptr;  ///< held until its outcome is in the store
    TimePoint started;
    bool abandoned = false;  ///< shutdown pushed it back: record nothing
    bool finishing = false;  ///< its outcome is being recorded: shutdown leaves it alone
    bool given_back = false;  ///< after abandoned: the pushed-back copy is in its queue
    std::condition_variable given_back_cv;
    std::stop_source stop;
  };

  void work(Slot& slot);

  PrefetchRule prefetch_;
  RunPace& pace_;
  Handoff<FetchedJob>& handoff_;
  JobRunner& runner_;
  GiveBack give_back_;
  std::vector<Slot> slots_;
  std::vector<std::thread> threads_;
};

}  // namespace errand::detail
