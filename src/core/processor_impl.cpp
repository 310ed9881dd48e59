// The processor's life cycle: start, quiet, stop; holding and giving back jobs.
#include "core/processor_impl.hpp"

#include <errand/error.hpp>
#include <errand/version.hpp>

#include "core/fetcher.hpp"
#include "core/heartbeat.hpp"
#include "core/log.hpp"
#include "core/poller.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <system_error>
#include <utility>

namespace errand {
namespace detail {

/// The fetcher's share of its store's fetch connections (Store::fetch_connections(), for
/// stores whose waiting fetch holds several), taken at start and given back when the
/// fetcher ends. Throws what the store's reserve throws: a pool too small.
class FetchReservation {
 public:
  FetchReservation(Store& store, std::size_t queues)
      : connections_(store.fetch_connections()), queues_(queues) {
    if (connections_ != nullptr) connections_->reserve_fetch_connections(queues_);
  }
  FetchReservation(FetchReservation&& other) noexcept
      : connections_(std::exchange(other.connections_, nullptr)), queues_(other.queues_) {}
  FetchReservation(const FetchReservation&) = delete;
  FetchReservation& operator=(const FetchReservation&) = delete;
  FetchReservation& operator=(FetchReservation&&) = delete;
  ~FetchReservation() {
    if (connections_ != nullptr) connections_->release_fetch_connections(queues_);
  }

 private:
  FetchConnections* connections_;
  std::size_t queues_;
};

}  // namespace detail

void Processor::Impl::start() {
  std::unique_lock lock(lifecycle_);
  if (state_ != State::idle) throw ConfigError("errand: Processor::start() may be called once");
  for (const auto& queue : options_.queues.names()) store_->check_queue_name(queue);
  detail::FetchReservation reservation(*store_, options_.queues.names().size());
  state_ = State::running;
  detail::log_safely(*logger_, LogLevel::info, [&] {
    return fmt::format("errand {} starting: store={} concurrency={} queues=[{}] ({} order), {} worker class{}",
                       version, store_->name(), options_.concurrency, fmt::join(options_.queues.names(), ", "),
                       options_.queues.mode() == QueueList::Mode::strict ? "strict" : "weighted",
                       registry_.size(), registry_.size() == 1 ? "" : "es");
  });
  try {
    start_threads(std::move(reservation));
  } catch (const std::system_error& e) {
    // Stopped at once, so that a stop() meanwhile has nothing to do; the threads started
    // are joined without the lock, which they may be waiting for.
    state_ = State::stopped;
    lock.unlock();
    undo_start();
    throw ConfigError(fmt::format(
        "errand: could not start the processor's threads ({}; {} worker threads were asked for): lower the "
        "concurrency (-c, num-workers) or raise the system's limits on threads and memory maps (ulimit -u, "
        "kernel.threads-max, vm.max_map_count)",
        e.what(), options_.concurrency));
  }
}

void Processor::Impl::start_threads(detail::FetchReservation reservation) {
  completions_.start();
  workers_.start();
  fetcher_ = std::thread([this, stop = fetch_stop_.get_token(), reservation = std::move(reservation)] {
    detail::Fetcher(*store_, options_.queues, handoff_, *logger_, identity_, transfers_,
                    [this](std::stop_token s) { return wait_registered(std::move(s)); })
        .run(stop);
  });
  if (detail::Poller::has_work(*store_)) {
    poller_ = std::thread([this, stop = poll_stop_.get_token()] {
      detail::Poller(*store_, *logger_, options_, identity_, [this] { return held_payloads(); }, transfers_)
          .run(stop);
    });
  }
  heartbeat_ = std::thread([this, stop = beat_stop_.get_token()] {
    detail::Heartbeat(*store_, *logger_, options_, counters_, identity_, leases_,
                      {.busy = [this] { return workers_.busy(); },
                       .held = [this] { return held(); },
                       .quiet = [this] { return is_quiet(); },
                       .on_signal = [this](std::string_view signal) { on_signal(signal); },
                       .on_registered = [this] { mark_registered(); }})
        .run(stop);
  });
}

void Processor::Impl::undo_start() noexcept {
  const std::lock_guard one_at_a_time(stop_mutex_);
  fetch_stop_.request_stop();
  poll_stop_.request_stop();
  beat_stop_.request_stop();
  for (std::thread* thread : {&fetcher_, &poller_, &heartbeat_}) {
    if (thread->joinable()) thread->join();
  }
  give_back(handoff_.close(), "fetched while the processor failed to start");
  workers_.join();  // the threads started return from the closed handoff
  completions_.stop();
}

void Processor::Impl::quiet() {
  std::lock_guard lock(lifecycle_);
  if (state_ != State::running) return;
  state_ = State::quiet;
  fetch_stop_.request_stop();
  poll_stop_.request_stop();
  detail::log_safely(*logger_, LogLevel::info,
                     [] { return std::string("errand: quiet: no new jobs will be fetched; running jobs finish"); });
}

bool Processor::Impl::stop(const std::function<bool()>& forced) {
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
  give_back(handoff_.close(), "fetched but not started");
  Wait waited = wait_for_running_jobs(deadline, forced);
  if (waited == Wait::timed_out) {
    give_back_running("still running at the shutdown timeout");
    // Their threads end when their jobs heed the stop token; a second signal need not wait.
    waited = wait_for_running_jobs(std::chrono::steady_clock::time_point::max(), forced);
  }
  if (waited == Wait::forced) {
    give_back_running("still running at a second stop signal");
    completions_.stop();
    // The heartbeat's last beat flushes the counts and takes the process out of the
    // registry; stopping it first means no beat can put the entry back afterwards.
    beat_stop_.request_stop();
    heartbeat_.join();
    return false;
  }
  workers_.join();
  deadlines_.stop();
  completions_.stop();  // every finished job acknowledged before the last beat
  if (poller_.joinable()) poller_.join();
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

void Processor::Impl::on_signal(std::string_view signal) {
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

Processor::Impl::Wait Processor::Impl::wait_for_running_jobs(std::chrono::steady_clock::time_point deadline,
                                                            const std::function<bool()>& forced) {
  constexpr auto slice = std::chrono::milliseconds(100);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (handoff_.wait_idle(std::min(deadline, now + slice))) return Wait::idle;
    if (std::chrono::steady_clock::now() >= deadline) return Wait::timed_out;
    if (forced && forced()) return Wait::forced;
  }
}

std::vector<FetchedJob> Processor::Impl::held() {
  std::vector<FetchedJob> jobs = workers_.held();
  for (auto& job : completions_.pending()) jobs.push_back(std::move(job));
  return jobs;
}

std::vector<std::string> Processor::Impl::held_payloads() {
  std::vector<std::string> payloads;
  for (auto& job : held()) payloads.push_back(std::move(job.payload));
  return payloads;
}

void Processor::Impl::give_back_running(std::string_view why) noexcept {
  give_back(workers_.abandon_running(), why);
  workers_.given_back();
}

void Processor::Impl::give_back(std::vector<FetchedJob> jobs, std::string_view why) noexcept {
  if (jobs.empty()) return;
  try {
    const std::lock_guard no_renewal_meanwhile(leases_);
    store_->job_give_back({.jobs = jobs, .owner = identity_});
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

}  // namespace errand
