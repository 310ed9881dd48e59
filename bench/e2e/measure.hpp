// What errand_bench measures about its own process (and optionally the server's): CPU
// time, resident memory, clocks and latency percentiles. Linux only (/proc).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace errand::bench {

using SteadyClock = std::chrono::steady_clock;

/// steady_clock in nanoseconds since its epoch: a timestamp that can travel in a job's
/// args to a thread of the same process.
[[nodiscard]] std::int64_t steady_ns() noexcept;

/// User + system CPU seconds of this process (all threads) so far.
[[nodiscard]] double cpu_seconds() noexcept;

/// CPU seconds of process `pid`, its live children, and its children that have exited
/// (as reaped by it): a server's whole cost. nullopt when /proc/<pid>/stat is unreadable.
[[nodiscard]] std::optional<double> process_tree_cpu_seconds(int pid);

struct MemoryStatus {
  std::int64_t rss_kb = 0;  ///< VmRSS: resident now
  std::int64_t hwm_kb = 0;  ///< VmHWM: peak resident since start or the last reset_peak_rss()
  std::int64_t anon_kb = 0;  ///< RssAnon: resident heap and stacks (VmRSS less mapped files and shared memory)
};
[[nodiscard]] MemoryStatus memory_status();

/// Resets VmHWM to the current RSS (`5` to /proc/self/clear_refs, Linux ≥ 4.0).
/// Returns false when the kernel refused.
bool reset_peak_rss() noexcept;

struct Percentiles {
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
};
/// Nearest-rank percentiles of `samples` (empty: all zero).
[[nodiscard]] Percentiles percentiles(std::vector<double> samples);

[[nodiscard]] inline double seconds_since(SteadyClock::time_point start) noexcept {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace errand::bench
