#include <errand/error.hpp>
#include <errand/processor.hpp>
#include <errand/version.hpp>

#include "core/fetcher.hpp"
#include "core/handoff.hpp"
#include "core/heartbeat.hpp"
#include "core/job_runner.hpp"
#include "core/log.hpp"
#include "core/poller.hpp"
#include "core/retrier.hpp"
#include "core/signals.hpp"
#include "core/worker_pool.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace errand {
namespace {
/// Jobs held in memory at most: running, and waiting for a thread. With reliable fetch
/// a crash loses none of them, so the fetcher keeps a batch ready for the threads;
/// without it, it takes only what idle threads can start now.
std::size_t handoff_limit(Store& store, const ProcessorOptions& options) {
  const auto threads = static_cast<std::size_t>(options.concurrency);
  return store.capabilities().reliable_fetch ? 2 * threads : threads;
}
}  // namespace

class Processor::Impl {
 public:
  Impl(std::shared_ptr<Store> store, ProcessorOptions options)
      : store_(std::move(store)),
        options_(std::move(options)),
        logger_(options_.logger ? options_.logger : stderr_logger()),
        identity_(detail::make_process_identity()),
        retrier_(*store_, *logger_, options_, identity_),
        runner_(*store_, registry_, middleware_, retrier_, *logger_, counters_, identity_),
        handoff_(handoff_limit(*store_, options_)),
        workers_(static_cast<std::size_t>(options_.concurrency), handoff_, runner_,
                 [this](std::vector<FetchedJob> jobs, std::string_view why) { requeue(std::move(jobs), why); }) {}

  void start() {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::idle) throw ConfigError("errand: Processor::start() may be called once");
    for (const auto& queue : options_.queues.names()) store_->check_queue_name(queue);
    state_ = State::running;
    detail::log_safely(*logger_, LogLevel::info, [&] {
      return fmt::format("errand {} starting: store={} concurrency={} queues=[{}] ({} order), {} worker class{}",
                         version, store_->name(), options_.concurrency, fmt::join(options_.queues.names(), ", "),
                         options_.queues.mode() == QueueList::Mode::strict ? "strict" : "weighted",
                         registry_.size(), registry_.size() == 1 ? "" : "es");
    });
    workers_.start();
    fetcher_ = std::thread([this, stop = fetch_stop_.get_token()] {
      detail::Fetcher(*store_, options_.queues, handoff_, *logger_, identity_, transfers_,
                      [this](std::stop_token s) { return wait_registered(std::move(s)); })
          .run(stop);
    });
    poller_ = std::thread([this, stop = poll_stop_.get_token()] {
      detail::Poller(*store_, *logger_, options_, identity_, [this] { return workers_.held_payloads(); }, transfers_)
          .run(stop);
    });
    heartbeat_ = std::thread([this, stop = beat_stop_.get_token()] {
      detail::Heartbeat(*store_, *logger_, options_, counters_, identity_, leases_,
                        {.busy = [this] { return workers_.busy(); },
                         .held = [this] { return workers_.held(); },
                         .quiet = [this] { return is_quiet(); },
                         .on_signal = [this](std::string_view signal) { on_signal(signal); },
                         .on_registered = [this] { mark_registered(); }})
          .run(stop);
    });
  }

  void quiet() {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::running) return;
    state_ = State::quiet;
    fetch_stop_.request_stop();
    poll_stop_.request_stop();
    detail::log_safely(*logger_, LogLevel::info,
                       [] { return std::string("errand: quiet: no new jobs will be fetched; running jobs finish"); });
  }

  /// Stops as Processor::stop() documents. While it waits for running jobs it polls
  /// `forced`: when that returns true, running jobs are pushed back at once and stop()
  /// returns false without waiting for their threads (the caller then exits).
  bool stop(const std::function<bool()>& forced = {}) {
    stop_requested_ = true;
    if (workers_.on_worker_thread()) {
      // Called from a job: stop fetching now; the thread that owns the processor
      // (run_until_signal, or the destructor) completes the shutdown.
      fetch_stop_.request_stop();
      return true;
    }
    const std::lock_guard one_at_a_time(stop_mutex_);
    {
      std::lock_guard lock(lifecycle_);
      if (state_ == State::stopped) return true;
      if (state_ == State::idle) {
        state_ = State::stopped;
        return true;
      }
      state_ = State::stopping;
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    detail::log_safely(*logger_, LogLevel::info, [&] {
      return fmt::format("errand: stopping: waiting up to {} ms for {} running job(s)",
                         options_.shutdown_timeout.count(), handoff_.busy());
    });
    fetch_stop_.request_stop();
    poll_stop_.request_stop();
    fetcher_.join();
    requeue(handoff_.close(), "fetched but not started");
    switch (wait_for_running_jobs(deadline, forced)) {
      case Wait::idle: break;
      case Wait::timed_out: requeue(workers_.abandon_running(), "still running at the shutdown timeout"); break;
      case Wait::forced:
        requeue(workers_.abandon_running(), "still running at a second stop signal");
        try {
          store_->process_stop(identity_, options_.sidekiq_version);
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the entry expires in 60 s anyway
        }
        return false;
    }
    workers_.join();
    poller_.join();
    beat_stop_.request_stop();  // last, so that its final beat flushes every count
    heartbeat_.join();
    {
      std::lock_guard lock(lifecycle_);
      state_ = State::stopped;
    }
    const ProcessorStats s = stats();
    detail::log_safely(*logger_, LogLevel::info, [&] {
      return fmt::format("errand: stopped: {} processed, {} failed", s.processed, s.failed);
    });
    return true;
  }

  void run_until_signal() {
    detail::SignalWatcher signals;
    start();
    while (!stop_requested_) {
      const std::optional<int> signal = signals.wait(std::chrono::milliseconds(200));
      if (signal == SIGTSTP) {
        quiet();
      } else if (signal == SIGINT || signal == SIGTERM) {
        detail::log_safely(*logger_, LogLevel::info, [&] {
          return fmt::format("errand: received {}; a second one forces the exit", *signal == SIGINT ? "INT" : "TERM");
        });
        break;
      }
    }
    const auto second_signal = [&signals] {
      const std::optional<int> signal = signals.wait(std::chrono::milliseconds(0));
      return signal == SIGINT || signal == SIGTERM;
    };
    if (!stop(second_signal)) {
      detail::log_safely(*logger_, LogLevel::warn, [] {
        return std::string("errand: forced exit: running jobs were pushed back to their queues");
      });
      std::_Exit(EXIT_FAILURE);  // the job threads may never return; their jobs are safe
    }
  }

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
  void on_signal(std::string_view signal) {
    if (signal == "TSTP") {
      quiet();
    } else if (signal == "TERM") {
      // Stop fetching now; run_until_signal (or the owner's stop()) completes the stop.
      stop_requested_ = true;
      fetch_stop_.request_stop();
      poll_stop_.request_stop();
    } else if (signal == "TTIN") {
      for (const auto& job : workers_.busy()) {
        detail::log_safely(*logger_, LogLevel::info, [&] {
          return fmt::format("errand: busy {} queue={} since {:.0f}: {}", job.thread_id, job.queue,
                             epoch_seconds(job.run_at), job.payload.substr(0, 200));
        });
      }
    }
  }

  enum class Wait { idle, timed_out, forced };

  Wait wait_for_running_jobs(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& forced) {
    constexpr auto slice = std::chrono::milliseconds(100);
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      if (handoff_.wait_idle(std::min(deadline, now + slice))) return Wait::idle;
      if (std::chrono::steady_clock::now() >= deadline) return Wait::timed_out;
      if (forced && forced()) return Wait::forced;
    }
  }

  void requeue(std::vector<FetchedJob> jobs, std::string_view why) noexcept {
    if (jobs.empty()) return;
    try {
      const std::lock_guard no_renewal_meanwhile(leases_);
      store_->job_requeue({jobs, identity_});
      detail::log_safely(*logger_, LogLevel::info, [&] {
        return fmt::format("errand: pushed {} job(s) back to their queues ({})", jobs.size(), why);
      });
    } catch (const std::exception& e) {
      for (const auto& job : jobs) {
        detail::log_safely(*logger_, LogLevel::error, [&] {
          return fmt::format("errand: could not push a job ({}) back to queue {}: {}; job lost: {}", why, job.queue,
                             e.what(), job.payload);
        });
      }
    }
  }

  std::shared_ptr<Store> store_;
  ProcessorOptions options_;
  std::shared_ptr<Logger> logger_;
  std::string identity_;  // before everything that is given it
  WorkerRegistry registry_;
  ServerMiddlewareChain middleware_;
  detail::Counters counters_;
  std::mutex leases_;  // a beat renewing leases, or a requeue (see Heartbeat)
  std::atomic<std::uint64_t> transfers_{0};  // the fetcher's hand-overs (see StrandedJobs)
  std::mutex registered_mutex_;                // the first heartbeat reached the store:
  std::condition_variable_any registered_changed_;  // only then may the fetcher take jobs
  bool registered_ = false;
  detail::Retrier retrier_;
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

namespace {
ProcessorOptions validated(ProcessorOptions options) {
  if (options.concurrency < 1 || options.concurrency > 10'000) {
    throw ConfigError(fmt::format("errand: concurrency must be between 1 and 10000, got {}", options.concurrency));
  }
  if (options.shutdown_timeout.count() < 0) throw ConfigError("errand: shutdown_timeout must not be negative");
  return options;
}
}  // namespace

Processor::Processor(std::shared_ptr<Store> store, ProcessorOptions options) {
  if (!store) throw ConfigError("errand: Processor needs a store (errand::connect(url) makes one)");
  impl_ = std::make_unique<Impl>(std::move(store), validated(std::move(options)));
}

Processor::~Processor() {
  if (impl_) impl_->stop();
}

void Processor::register_handler(std::string class_name, JobHandler handler, JobOptions options,
                                 RetryInHook retry_in) {
  registry().add_handler(std::move(class_name), std::move(options), std::move(handler), std::move(retry_in));
}

void Processor::use(ServerMiddleware middleware) { impl_->middleware().add(std::move(middleware)); }
WorkerRegistry& Processor::registry() { return impl_->registry(); }
void Processor::start() { impl_->start(); }
void Processor::quiet() { impl_->quiet(); }
void Processor::stop() { (void)impl_->stop(); }
void Processor::run_until_signal() { impl_->run_until_signal(); }
ProcessorStats Processor::stats() const { return impl_->stats(); }
const std::string& Processor::identity() const { return impl_->identity(); }

}  // namespace errand
