// process: how fast one Processor runs a backlog of no-op jobs.
#include "countdown.hpp"
#include "scenarios.hpp"
#include "store_admin.hpp"
#include "window.hpp"

#include <errand/logger.hpp>
#include <errand/processor.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>

namespace errand::bench {

ResultRow run_process(const BenchOptions& options) {
  // The backlog, enqueued by a store of its own that is closed before the clock starts.
  {
    const Client producer{open_store(options.url, options.pool)};
    preload(producer, options.jobs, options.bulk_size);
  }

  ResultRow row;
  Window window(options);
  const auto setup_start = SteadyClock::now();
  Countdown done(options.jobs);
  // The first job's start: the clock starts there, as the peers' does once their worker
  // is up (bench/peers/README.md), so that start-up is not counted.
  std::atomic<bool> started{false};
  SteadyClock::time_point first_start;
  double first_cpu = 0;
  {
    auto store = open_store(options.url, options.pool);
    Processor processor(store, ProcessorOptions{.concurrency = options.concurrency,
                                                .queues = {"default"},
                                                .logger = stderr_logger(LogLevel::warn)});
    processor.register_handler(std::string(noop_class), [&](const Job&, Context&) {
      if (!started.exchange(true, std::memory_order_relaxed)) {
        first_start = SteadyClock::now();
        first_cpu = cpu_seconds();
      }
      done.count_one();  // publishes first_start to the waiting thread
    });
    processor.start();
    const bool finished = done.wait_for(options.timeout);
    if (finished) window.start_from(first_start, first_cpu);
    window.stop();
    if (!finished) {
      throw std::runtime_error("errand_bench: the processor ran " + std::to_string(done.count()) + " of " +
                               std::to_string(options.jobs) + " jobs in " + std::to_string(options.timeout.count()) +
                               " s (raise --timeout, or lower --jobs)");
    }
    const ProcessorStats stats = processor.stats();
    if (stats.failed != 0) row.note("failed", std::to_string(stats.failed));
    processor.stop();
  }  // the processor and its store close here, before the window reads the server's counters
  row.note("startup_ms", std::chrono::duration<double, std::milli>(first_start - setup_start).count(), 1);
  row.note("clock", "first_job_start_to_last_job_run");
  row.note("reliable_fetch", store_kind(options.url) == StoreKind::redis ? "on" : "n/a");
  window.fill(row, options.jobs);
  return row;
}

}  // namespace errand::bench
