// The processor: fetches jobs from a store and runs them on a fixed pool of threads.
//
//   errand::Processor processor{store, {.concurrency = 10, .queues = {"critical", "default"}}};
//   processor.register_worker<Welcome>();
//   processor.use(TimingMiddleware{});
//   processor.run_until_signal();   // TERM/INT: stop; TSTP: quiet
//
// Several processors (a worker on two stores while migrating) run until a signal together:
//
//   errand::run_until_signal({&redis_processor, &postgres_processor});
#pragma once

#include <errand/job.hpp>
#include <errand/logger.hpp>
#include <errand/middleware.hpp>
#include <errand/queues.hpp>
#include <errand/registry.hpp>
#include <errand/retry.hpp>
#include <errand/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace errand {

struct RetryOptions {
  int max_retries = 25;   ///< used for jobs with `"retry": true`
  DeadSetLimits dead{};   ///< Sidekiq's dead_max_jobs / dead_timeout_in_seconds
  /// For workers without their own `retry_in`: the delay rule. Empty: Sidekiq's backoff.
  RetryInHook retry_in{};
  std::vector<JobErrorHandler> error_handlers{};  ///< every failure (Sidekiq's error_handlers)
  std::vector<JobErrorHandler> death_handlers{};  ///< jobs that will not run again (Sidekiq's death_handlers)
};

struct ProcessorOptions {
  /// The shortest heartbeat and poll intervals a processor accepts: shorter ones spend
  /// a core on bookkeeping (a 0 ms interval is a busy loop).
  static constexpr std::chrono::milliseconds min_heartbeat_interval{10};
  static constexpr std::chrono::milliseconds min_poll_interval{10};
  /// The most threads a processor runs (one thread per job, each with its own stack).
  static constexpr int max_concurrency = 10'000;
  /// The longest RetryOptions::dead.max_age: a hundred years (a time point's range is
  /// about 292 years each side of 1970).
  static constexpr std::chrono::seconds max_dead_age{100LL * 365 * 24 * 3600};

  int concurrency = 10;                                ///< threads running jobs: 1 to max_concurrency
  QueueList queues{"default"};
  /// How long stop() waits for running jobs; 0: it pushes them back at once. Not negative.
  std::chrono::milliseconds shutdown_timeout{25'000};
  /// Limits below: max_retries ≥ 0 (0: a failed job goes straight to the dead set),
  /// dead.max_jobs ≥ 0 (0 and 1 keep no dead job), dead.max_age from 1 s to
  /// max_dead_age.
  RetryOptions retry{};
  std::shared_ptr<Logger> logger{};                    ///< null: errand::stderr_logger()
  /// How long a run of a job may take when neither its payload nor its worker's options
  /// say (JobOptions::timeout). Default: no limit, as Sidekiq; errand::Config sets
  /// Roadster's 60 s (`max-duration`). 0: no limit either. Not negative.
  std::optional<std::chrono::milliseconds> job_timeout{};

  /// Finished jobs whose acknowledgement may still be on its way to the store. One
  /// thread writes acknowledgements in batches (everything finished since its last
  /// write, in one round trip), so that a job thread never waits for the store; a
  /// thread that finishes a job while this many are on their way waits for room.
  /// The cost: a process killed with kill -9 runs these jobs a second time, as it does
  /// the ones it was running, once its jobs come back. 0: each job thread writes its
  /// own acknowledgement before it takes the next job. Default: max(concurrency, 16),
  /// or, for fast jobs, as many as the threads finish in ~10 ms (at most 1,000), so that
  /// a crash repeats little work and a write never holds the threads up.
  std::optional<std::size_t> unacknowledged_limit{};

  /// Jobs fetched ahead of the threads: taken from the store and waiting in memory for
  /// a thread, so that no thread waits for a round trip. Only on stores with reliable
  /// fetch (a crash gives them back); on the others a thread's job is fetched when the
  /// thread is free. Default: about 2 ms of work at the jobs' current pace, at least
  /// concurrency and at most the store's StoreTuning::prefetch_limit (250 on
  /// Redis, 1,000 on Postgres and SQLite), so that an urgent job fetched later waits
  /// little and no process holds much that another could run sooner.
  /// 0: fetch only for free threads (for long jobs shared by several processes, so that
  /// none holds jobs another could start now).
  std::optional<std::size_t> prefetch{};

  /// Scheduled jobs and retries are moved to their queues every ~5 s on average across
  /// all processes: each process waits this × the number of live processes, ±50 %
  /// (Sidekiq's average_scheduled_poll_interval).
  std::chrono::milliseconds average_scheduled_poll_interval{5'000};
  /// A fixed average instead of the scaled one (Sidekiq's poll_interval_average).
  std::optional<std::chrono::milliseconds> poll_interval_average{};

  /// Between heartbeats; default 5 s for Sidekiq 6, 10 s for 7 and 8.
  std::optional<std::chrono::milliseconds> heartbeat_interval{};
  std::string tag{};                  ///< shown on Sidekiq's Busy page, e.g. the app's name
  std::vector<std::string> labels{};  ///< shown on Sidekiq's Busy page
};

struct ProcessorStats {
  std::uint64_t processed = 0;  ///< jobs run, failed or not (as Sidekiq counts)
  std::uint64_t failed = 0;
  std::uint64_t busy = 0;       ///< jobs running now
};

class Processor {
 public:
  Processor(std::shared_ptr<Store> store, ProcessorOptions options = {});
  Processor(const Processor&) = delete;
  Processor& operator=(const Processor&) = delete;
  /// Stops (as stop()) if still running.
  ~Processor();

  template <class W>
  void register_worker() {
    registry().add<W>();
  }
  template <class W, class Factory>
  void register_worker(Factory factory) {
    registry().add<W>(std::move(factory));
  }
  /// Runs jobs of `class_name` with an untyped handler.
  void register_handler(std::string class_name, JobHandler handler, JobOptions options = {},
                        RetryInHook retry_in = {});

  /// Adds a server middleware; runs around every job, in order of addition.
  void use(ServerMiddleware middleware);

  /// Starts the fetcher and the worker threads. Register workers and middleware first.
  void start();
  /// Stops fetching new jobs; running and already fetched jobs finish.
  void quiet();
  /// Stops fetching, puts fetched-but-unstarted jobs back at the front of their queues,
  /// and waits up to shutdown_timeout for running jobs. Jobs still running then are
  /// pushed back to their queues too and asked to stop through their stop_token; stop()
  /// returns when their threads have finished (a job that ignores its stop_token delays
  /// it). Idempotent; a second caller waits for the first. Called from inside a job, it
  /// only stops fetching and returns: run_until_signal() or the destructor finishes.
  void stop();
  /// start(), then block until SIGTERM or SIGINT (then stop()), quieting on SIGTSTP,
  /// or until stop() is called. Installs handlers for those signals while it runs,
  /// whichever thread receives them; one run_until_signal per process at a time.
  /// A second TERM or INT while stopping pushes the running jobs back to their queues
  /// at once and exits the process (status 1) without waiting for them.
  /// To hold a signal that arrives while the program starts up (before this call), block
  /// SIGINT, SIGTERM and SIGTSTP at the top of main: this call unblocks them.
  /// The same as errand::run_until_signal({this}).
  void run_until_signal();

  [[nodiscard]] ProcessorStats stats() const;
  /// This process's identity in the store's process registry: "hostname:pid:nonce".
  [[nodiscard]] const std::string& identity() const;
  [[nodiscard]] WorkerRegistry& registry();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;

  friend void run_until_signal(std::span<Processor* const> processors);
};

/// Runs several processors until a signal, with Processor::run_until_signal()'s rules
/// applied to all of them; that member function is this one for a single processor.
///
/// - It starts them all, then blocks. SIGTSTP quiets them all.
/// - SIGTERM or SIGINT stops them all at once, each on its own thread: each gets its
///   own shutdown_timeout (paid once, not once per processor), puts its fetched but
///   unstarted jobs back at once and pushes back the jobs still running at its timeout.
///   It returns when all have stopped.
/// - A second TERM or INT while they stop pushes the running jobs of every processor
///   back to their queues (each to its own store) at once and exits the process with
///   status 1, without waiting for those jobs, nor for jobs that were pushed back at
///   their timeout but ignore their stop_token.
/// - stop() on any of them (from a job, another thread, or a dashboard's "stop") stops
///   them all: one process, one shutdown.
///
/// The processors may use different stores (a worker registered on Redis and Postgres
/// while jobs move between them) and must not have been started. Throws ConfigError for
/// an empty list, a null pointer, a processor named twice, or while another
/// run_until_signal runs in this process; and what a start() throws, after stopping the
/// processors of the list that had started.
///
/// A function over processors the caller owns rather than a ProcessorGroup class: a
/// group would own nothing and add nothing but this call, and each processor keeps its
/// own options, workers and middleware (one per store), configured as for one.
void run_until_signal(std::span<Processor* const> processors);

/// errand::run_until_signal({&redis_processor, &postgres_processor}).
inline void run_until_signal(std::initializer_list<Processor*> processors) {
  run_until_signal(std::span<Processor* const>(processors.begin(), processors.size()));
}

}  // namespace errand
