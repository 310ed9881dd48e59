// errand_bench's command line: one scenario, one store, one concurrency per run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace errand::bench {

enum class Scenario { enqueue_single, enqueue_bulk, process, latency_idle, latency_loaded };

/// A command line errand_bench cannot run; the message says what to change.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchOptions {
  std::string url;                  ///< redis://, postgres(ql):// or sqlite:// (errand::connect's URLs)
  Scenario scenario = Scenario::process;
  std::int64_t jobs = 1000;         ///< jobs enqueued/processed; for latency scenarios, the markers
  int concurrency = 1;              ///< processor threads; enqueue threads for enqueue_*
  std::string csv;                  ///< append the result row here (header first if new); empty: stdout
  std::size_t bulk_size = 1000;     ///< jobs per push_bulk (enqueue_bulk, preloads, the loaded backlog)
  std::string samples;              ///< latency_*: write each marker's latency (ms), one per line
  std::int64_t backlog = 20'000;    ///< latency_loaded: no-op jobs kept waiting in "default"
  int gap_min_ms = 5;               ///< latency_*: pause between markers, uniform in [min, max]
  int gap_max_ms = 20;
  int warmup = 10;                  ///< latency_*: markers sent and waited for first, not counted
  std::size_t pool = 0;             ///< store connection pool size; 0: the store's default
  bool reset = true;                ///< empty the store before the run
  int server_pid = 0;               ///< the store server's PID, to report its CPU time (0: not reported)
  std::chrono::seconds timeout{600};  ///< give up (exit 1) when the run takes longer
  std::string notes;                ///< added to the row's notes column
};

[[nodiscard]] std::string_view scenario_name(Scenario scenario) noexcept;

/// Parses argv. Throws UsageError for an unknown flag, a missing value or a bad number.
[[nodiscard]] BenchOptions parse_options(int argc, char** argv);

[[nodiscard]] std::string usage();

}  // namespace errand::bench
