// The processor's parts and their life cycle (see errand/processor.hpp). Internal.
#pragma once

#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "core/completions.hpp"
#include "core/deadlines.hpp"
#include "core/fetcher.hpp"
#include "core/handoff.hpp"
#include "core/heartbeat.hpp"
#include "core/job_runner.hpp"
#include "core/pace.hpp"
#include "core/retrier.hpp"
#include "core/worker_pool.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace errand {
namespace detail {
class FetchReservation;
}  // namespace detail

class Processor::Impl {
 public:
  Impl(std::shared_ptr<Store> store, ProcessorOptions options)
      : store_(std::move(store)),
        options_(std::move(options)),
        logger_(options_.logger ? options_.logger : stderr_logger()),
        identity_(detail::make_process_identity()),
        retrier_(*store_, *logger_, options_, identity_),
        completions_(*store_, *logger_, identity_, [this] { return unacknowledged_limit(); }),
        runner_(registry_, middleware_, retrier_, completions_, deadlines_, options_.job_timeout, *logger_, counters_),
        handoff_(detail::hold_limit(threads(), prefetch_rule(), {}),
                 detail::Fetcher::ranks(options_.queues)),
        workers_(threads(), prefetch_rule(), pace_, handoff_, runner_,
                 [this](std::vector<FetchedJob> jobs, std::string_view why) { give_back(std::move(jobs), why); }) {}

  void start();
  void quiet();

  /// Stops as Processor::stop() documents. While it waits for running jobs (and, past
  /// the timeout, for the threads of the jobs it pushed back) it polls `forced`: when
  /// that returns true, running jobs are pushed back at once and stop() returns false
  /// without waiting for their threads (the caller then exits).
  bool stop(const std::function<bool()>& forced = {});

  /// errand::run_until_signal for a group of distinct processors (processor_signals.cpp).
  static void run_until_signal(std::span<Impl* const> group);
  /// Starts each processor of the group; if one throws, stops those already started,
  /// then lets the exception out.
  static void start_all(std::span<Impl* const> group);

  ProcessorStats stats() const { return {counters_.processed.load(), counters_.failed.load(), handoff_.busy()}; }
  const std::string& identity() const { return identity_; }

  WorkerRegistry& registry() {
    require_idle("register workers");
    return registry_;
  }
  ServerMiddlewareChain& middleware() {
    require_idle("add middleware");
    return middleware_;
  }

 private:
  enum class State { idle, running, quiet, stopping, stopped };

  [[nodiscard]] std::size_t threads() const { return static_cast<std::size_t>(options_.concurrency); }
  [[nodiscard]] detail::PrefetchRule prefetch_rule() const {
    return {store_->capabilities().reliable_fetch, store_->tuning().prefetch_limit, options_.prefetch};
  }
  /// ProcessorOptions::unacknowledged_limit, else its default at the jobs' current pace.
  [[nodiscard]] std::size_t unacknowledged_limit() const {
    if (options_.unacknowledged_limit) return *options_.unacknowledged_limit;
    return detail::default_unacknowledged_limit(threads(), pace_.mean());
  }

  /// start()'s threads: completions, workers, fetcher (which keeps `reservation` until it
  /// ends), poller, heartbeat. Throws std::system_error when the system refuses a thread.
  void start_threads(detail::FetchReservation reservation);
  /// Stops and joins whatever start_threads() started before it threw.
  void undo_start() noexcept;

  void require_idle(std::string_view what) const {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::idle) throw ConfigError(fmt::format("errand: {} before Processor::start()", what));
  }

  void mark_registered() {
    {
      std::lock_guard lock(registered_mutex_);
      registered_ = true;
    }
    registered_changed_.notify_all();
  }

  bool wait_registered(std::stop_token stop) {
    std::unique_lock lock(registered_mutex_);
    return registered_changed_.wait(lock, stop, [&] { return registered_; });
  }

  bool is_quiet() const {
    std::lock_guard lock(lifecycle_);
    return state_ != State::running;
  }

  /// A signal sent from a dashboard through the store (Sidekiq's `<identity>-signals`).
  void on_signal(std::string_view signal);

  enum class Wait { idle, timed_out, forced };

  Wait wait_for_running_jobs(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& forced);

  /// Every job this process holds: waiting, running, or finished but not yet acknowledged.
  /// (The workers first: a job moves from them to the completions, never back.)
  std::vector<FetchedJob> held();
  std::vector<std::string> held_payloads();

  void give_back(std::vector<FetchedJob> jobs, std::string_view why) noexcept;
  /// Gives the running jobs back to their queues (shutdown timeout or forced stop), then
  /// lets their threads go on.
  void give_back_running(std::string_view why) noexcept;

  std::shared_ptr<Store> store_;
  ProcessorOptions options_;
  std::shared_ptr<Logger> logger_;
  std::string identity_;  // before everything that is given it
  WorkerRegistry registry_;
  ServerMiddlewareChain middleware_;
  detail::Counters counters_;
  std::mutex leases_;  // a beat renewing leases, or a give-back (see Heartbeat)
  std::atomic<std::uint64_t> transfers_{0};  // the fetcher's hand-overs (see StrandedJobs)
  std::mutex registered_mutex_;                // the first heartbeat reached the store:
  std::condition_variable_any registered_changed_;  // only then may the fetcher take jobs
  bool registered_ = false;
  detail::Retrier retrier_;
  detail::RunPace pace_;              // how long runs take: sizes the two below
  detail::Completions completions_;  // acknowledgements of finished jobs, in batches
  detail::Deadlines deadlines_;      // per-job timeouts
  detail::JobRunner runner_;
  detail::Handoff<FetchedJob> handoff_;
  detail::WorkerPool workers_;
  std::stop_source fetch_stop_;
  std::stop_source poll_stop_;
  std::stop_source beat_stop_;
  std::thread fetcher_;
  std::thread poller_;
  std::thread heartbeat_;
  mutable std::mutex lifecycle_;  // guards state_; held only briefly
  std::mutex stop_mutex_;         // held for a whole stop(), so a second caller waits for it
  State state_ = State::idle;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace errand
