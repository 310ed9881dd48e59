// A measurement window: the wall clock, this process's CPU time and peak RSS, and the
// server's counters and CPU time, read at its start and end.
#pragma once

#include "bench_options.hpp"
#include "measure.hpp"
#include "result_row.hpp"
#include "store_admin.hpp"

#include <optional>

namespace errand::bench {

class Window {
 public:
  /// Reads the server's counters, resets the peak RSS, then starts the clock.
  explicit Window(const BenchOptions& options);

  /// Moves the start of the clock and the CPU count to a later moment (e.g. the first
  /// job's start, to leave a processor's start-up out), taken with cpu_seconds().
  void start_from(SteadyClock::time_point start, double cpu) noexcept {
    start_ = start;
    cpu_before_ = cpu;
  }

  /// Stops the clock and the CPU count (the first call counts).
  void stop();
  [[nodiscard]] double seconds() const noexcept { return seconds_; }

  /// What the costs in the window (CPU time, the server's counters) belong to.
  enum class Costs {
    jobs,   ///< the row's jobs: reported per job
    mixed,  ///< also other work (a load): not reported
  };

  /// Reads the server's counters again (close the store first: idle Postgres backends
  /// may hold theirs back for up to 10 s, exiting ones publish them) and fills the row's
  /// seconds, jobs/s, RSS (the peak during the window) and notes, and with Costs::jobs
  /// CPU seconds per 1k jobs and round trips and bytes per job.
  void fill(ResultRow& row, std::int64_t jobs, Costs costs = Costs::jobs);

 private:
  const BenchOptions& options_;
  ServerCounters counters_before_;
  std::optional<double> server_cpu_before_;
  MemoryStatus memory_before_;
  bool peak_reset_ = false;
  SteadyClock::time_point start_;
  double cpu_before_ = 0;
  bool stopped_ = false;
  double seconds_ = 0;
  double cpu_ = 0;
  std::optional<double> server_cpu_;
  MemoryStatus memory_after_;
};

}  // namespace errand::bench
