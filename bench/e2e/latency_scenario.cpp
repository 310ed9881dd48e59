// latency_idle and latency_loaded: how long a job waits between the start of its
// enqueue call and the start of its perform.
//
// A producer (a store of its own, as another process would have) enqueues marker jobs
// one at a time, a random 5-20 ms apart; each carries steady_clock's reading taken just
// before its enqueue call, and its handler subtracts that from the reading when it
// starts. idle: the processor has nothing else to do. loaded: a feeder thread keeps
// --backlog no-op jobs waiting in "default" and the processor works them at full
// concurrency, while the markers go to "critical", which it checks first (strict
// order): the pickup latency of an urgent job on a saturated processor.
#include "countdown.hpp"
#include "measure.hpp"
#include "scenarios.hpp"
#include "store_admin.hpp"
#include "window.hpp"

#include <errand/logger.hpp>
#include <errand/processor.hpp>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

namespace errand::bench {

namespace {

void write_samples(const std::string& path, const std::vector<double>& samples) {
  std::ofstream out(path);
  out.precision(6);
  for (const double ms : samples) out << std::fixed << ms << '\n';
  if (!out) throw std::runtime_error("errand_bench: cannot write the samples to " + path);
}

void expect_reached(Countdown& countdown, const BenchOptions& options, std::string_view what) {
  if (countdown.target() > 0 && !countdown.wait_for(options.timeout)) {
    throw std::runtime_error("errand_bench: only " + std::to_string(countdown.count()) + " of " +
                             std::to_string(countdown.target()) + " " + std::string(what) + " ran within " +
                             std::to_string(options.timeout.count()) + " s (is the processor stuck?)");
  }
}

}  // namespace

ResultRow run_latency(const BenchOptions& options) {
  const bool loaded = options.scenario == Scenario::latency_loaded;
  const std::string marker_queue = loaded ? "critical" : "default";
  const std::int64_t warmup = options.warmup;
  std::vector<double> samples(static_cast<std::size_t>(options.jobs), -1.0);
  Countdown warm(warmup);
  Countdown markers(options.jobs);
  std::atomic<std::int64_t> noops_done{0};

  ResultRow row;
  std::int64_t backlog_low = std::numeric_limits<std::int64_t>::max();
  std::int64_t load_done = 0;
  std::optional<Window> window;
  {
    const Client producer{open_store(options.url, options.pool)};
    if (loaded) preload(producer, options.backlog, options.bulk_size);

    auto store = open_store(options.url, options.pool);
    Processor processor(store, ProcessorOptions{.concurrency = options.concurrency,
                                                .queues = loaded ? QueueList{"critical", "default"} : QueueList{"default"},
                                                .logger = stderr_logger(LogLevel::warn)});
    processor.register_handler(std::string(marker_class), [&](const Job& job, Context&) {
      const std::int64_t now = steady_ns();
      const auto sent = job.args().at(0).to_number<std::int64_t>();
      const auto index = job.args().at(1).to_number<std::int64_t>();
      if (index < warmup) {
        warm.count_one();
        return;
      }
      samples.at(static_cast<std::size_t>(index - warmup)) = static_cast<double>(now - sent) / 1e6;
      markers.count_one();
    });
    processor.register_handler(std::string(noop_class),
                               [&](const Job&, Context&) { noops_done.fetch_add(1, std::memory_order_relaxed); });

    std::atomic<std::int64_t> fed{loaded ? options.backlog : 0};
    std::jthread feeder;
    if (loaded) {
      feeder = std::jthread([&](const std::stop_token& stop) {
        while (!stop.stop_requested()) {
          const std::int64_t first = fed.load();
          if (first - noops_done.load(std::memory_order_relaxed) < options.backlog) {
            (void)producer.push_bulk(noop_jobs(options.bulk_size, "default"));
            fed += static_cast<std::int64_t>(options.bulk_size);
          } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
        }
      });
    }

    std::mt19937 rng(20'240'601);
    std::uniform_int_distribution<int> gap_ms(options.gap_min_ms, options.gap_max_ms);
    const auto send_marker = [&](std::int64_t index) {
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms(rng)));
      (void)producer.enqueue_raw(marker_class, marker_queue, json::array{steady_ns(), index});
    };

    processor.start();
    for (std::int64_t i = 0; i < warmup; ++i) send_marker(i);
    expect_reached(warm, options, "warm-up markers");

    window.emplace(options);
    const std::int64_t load_start = noops_done.load();
    for (std::int64_t i = 0; i < options.jobs; ++i) {
      if (loaded) backlog_low = std::min(backlog_low, fed.load() - noops_done.load(std::memory_order_relaxed));
      send_marker(warmup + i);
    }
    expect_reached(markers, options, "markers");
    window->stop();
    load_done = noops_done.load() - load_start;
    if (feeder.joinable()) {
      feeder.request_stop();
      feeder.join();
    }
    processor.stop();
  }  // the processor and the stores close here, before the window reads the server's counters

  window->fill(row, options.jobs, loaded ? Window::Costs::mixed : Window::Costs::jobs);
  const Percentiles p = percentiles(samples);
  row.p50_ms = p.p50;
  row.p90_ms = p.p90;
  row.p99_ms = p.p99;
  row.max_ms = p.max;
  row.jobs_per_sec.reset();  // the markers' rate is set by the gaps: not a throughput
  row.note("gap_ms", std::to_string(options.gap_min_ms) + "-" + std::to_string(options.gap_max_ms));
  row.note("marker_queue", marker_queue);
  if (loaded) {
    row.note("backlog", std::to_string(options.backlog));
    row.note("backlog_low", std::to_string(backlog_low));
    row.note("load_jobs_per_sec", static_cast<double>(load_done) / window->seconds(), 0);
  }
  if (!options.samples.empty()) write_samples(options.samples, samples);
  return row;
}

}  // namespace errand::bench
