#include <errand/error.hpp>
#include <errand/processor.hpp>
#include <errand/version.hpp>

#include "core/fetcher.hpp"
#include "core/handoff.hpp"
#include "core/job_runner.hpp"
#include "core/retrier.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <csignal>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace errand {
namespace {

/// What a worker thread is running, so that shutdown can push it back.
struct Slot {
  std::mutex mutex;
  const FetchedJob* job = nullptr;
  bool abandoned = false;
  std::stop_source stop;
};

}  // namespace

class Processor::Impl {
 public:
  Impl(std::shared_ptr<Store> store, ProcessorOptions options)
      : store_(std::move(store)),
        options_(std::move(options)),
        logger_(options_.logger ? options_.logger : stderr_logger()),
        retrier_(*store_, *logger_, options_),
        runner_(*store_, registry_, middleware_, retrier_, *logger_, counters_),
        handoff_(static_cast<std::size_t>(options_.concurrency) * 2),
        slots_(static_cast<std::size_t>(options_.concurrency)) {}

  void start() {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::idle) throw ConfigError("errand: Processor::start() may be called once");
    state_ = State::running;
    logger_->info(fmt::format("errand {} starting: store={} concurrency={} queues=[{}] ({} order), {} worker class{}",
                              version, store_->name(), options_.concurrency,
                              fmt::join(options_.queues.names(), ", "),
                              options_.queues.mode() == QueueList::Mode::strict ? "strict" : "weighted",
                              registry_.size(), registry_.size() == 1 ? "" : "es"));
    workers_.reserve(slots_.size());
    for (auto& slot : slots_) {
      workers_.emplace_back([this, &slot] { work(slot); });
    }
    fetcher_ = std::jthread([this](std::stop_token stop) {
      detail::Fetcher(*store_, options_.queues, handoff_, *logger_).run(stop);
    });
  }

  void quiet() {
    std::lock_guard lock(lifecycle_);
    if (state_ != State::running) return;
    state_ = State::quiet;
    logger_->info("errand: quiet: no new jobs will be fetched; running jobs finish");
    fetcher_.request_stop();
  }

  void stop() {
    std::lock_guard lock(lifecycle_);
    if (state_ == State::stopped) return;
    if (state_ == State::idle) {
      state_ = State::stopped;
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_timeout;
    logger_->info(fmt::format("errand: stopping: waiting up to {} ms for {} running job(s)",
                              options_.shutdown_timeout.count(), handoff_.busy()));
    fetcher_.request_stop();
    if (fetcher_.joinable()) fetcher_.join();
    requeue(handoff_.close(), "fetched but not started");
    if (!handoff_.wait_idle(deadline)) requeue(abandon_running(), "still running at the shutdown timeout");
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    state_ = State::stopped;
    const ProcessorStats s = stats();
    logger_->info(fmt::format("errand: stopped: {} processed, {} failed", s.processed, s.failed));
  }

  void run_until_signal() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGTSTP);
    sigset_t previous;
    pthread_sigmask(SIG_BLOCK, &signals, &previous);  // the worker threads inherit the mask
    start();
    while (!stop_requested_.load()) {
      const timespec poll{0, 200'000'000};
      const int signal = sigtimedwait(&signals, nullptr, &poll);
      if (signal == SIGTSTP) {
        quiet();
      } else if (signal == SIGINT || signal == SIGTERM) {
        logger_->info(fmt::format("errand: received {}", signal == SIGINT ? "INT" : "TERM"));
        break;
      }
    }
    stop();
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  void request_stop() { stop_requested_.store(true); }

  ProcessorStats stats() const {
    return {counters_.processed.load(), counters_.failed.load(), handoff_.busy()};
  }

  WorkerRegistry& registry() { return registry_; }
  ServerMiddlewareChain& middleware() { return middleware_; }
  bool started() const {
    std::lock_guard lock(lifecycle_);
    return state_ != State::idle;
  }

 private:
  enum class State { idle, running, quiet, stopped };

  void work(Slot& slot) {
    while (std::optional<FetchedJob> fetched = handoff_.pop()) {
      std::stop_token stop;
      {
        std::lock_guard lock(slot.mutex);
        slot.job = &*fetched;
        slot.abandoned = false;
        stop = slot.stop.get_token();
      }
      const auto still_owned = [&slot] {
        std::lock_guard lock(slot.mutex);
        slot.job = nullptr;
        return !slot.abandoned;
      };
      runner_.run(*fetched, std::move(stop), still_owned);
      {
        std::lock_guard lock(slot.mutex);
        slot.job = nullptr;
      }
      handoff_.done();
    }
  }

  std::vector<FetchedJob> abandon_running() {
    std::vector<FetchedJob> running;
    for (auto& slot : slots_) {
      std::lock_guard lock(slot.mutex);
      if (slot.job == nullptr) continue;
      slot.abandoned = true;
      slot.stop.request_stop();
      running.push_back(*slot.job);
    }
    return running;
  }

  void requeue(std::vector<FetchedJob> jobs, std::string_view why) {
    if (jobs.empty()) return;
    try {
      store_->job_requeue({jobs});
      logger_->info(fmt::format("errand: pushed {} job(s) back to their queues ({})", jobs.size(), why));
    } catch (const std::exception& e) {
      for (const auto& job : jobs) {
        logger_->error(fmt::format("errand: could not push a job ({}) back to queue {}: {}; job lost: {}", why,
                                   job.queue, e.what(), job.payload));
      }
    }
  }

  std::shared_ptr<Store> store_;
  ProcessorOptions options_;
  std::shared_ptr<Logger> logger_;
  WorkerRegistry registry_;
  ServerMiddlewareChain middleware_;
  detail::Counters counters_;
  detail::Retrier retrier_;
  detail::JobRunner runner_;
  detail::Handoff<FetchedJob> handoff_;
  std::vector<Slot> slots_;
  std::vector<std::thread> workers_;
  std::jthread fetcher_;
  mutable std::mutex lifecycle_;
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

void Processor::register_handler(std::string class_name, JobHandler handler, JobOptions options) {
  registry().add_handler(std::move(class_name), std::move(options), std::move(handler));
}

void Processor::use(ServerMiddleware middleware) {
  if (impl_->started()) throw ConfigError("errand: add middleware before Processor::start()");
  impl_->middleware().add(std::move(middleware));
}

WorkerRegistry& Processor::registry() {
  if (impl_->started()) throw ConfigError("errand: register workers before Processor::start()");
  return impl_->registry();
}

void Processor::start() { impl_->start(); }
void Processor::quiet() { impl_->quiet(); }
void Processor::stop() {
  impl_->request_stop();
  impl_->stop();
}
void Processor::run_until_signal() { impl_->run_until_signal(); }
ProcessorStats Processor::stats() const { return impl_->stats(); }

}  // namespace errand
