// How fast a processor's jobs run, and so how much work it keeps in memory: jobs
// fetched ahead (so that no thread waits for a round trip to the store) and finished
// jobs whose acknowledgement is on its way (so that no thread waits for a write).
//
// Jobs fetched ahead are about prefetch_window of work: a job that arrives on a more
// urgent queue waits behind them, so the window is short. Acknowledgements on their way
// delay nobody; their bound is what a crash repeats, ack_window of work.
#pragma once

#include <errand/store.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace errand::detail {

inline constexpr std::chrono::milliseconds prefetch_window{2};
inline constexpr std::chrono::milliseconds ack_window{10};
inline constexpr std::size_t max_unacknowledged = 1000;  ///< by default

/// The moving average of run durations over ~16 runs (zero until a job ran). Any thread
/// may add; a lost update between two threads only drops one sample.
class RunPace {
 public:
  void add(std::chrono::steady_clock::duration run) noexcept {
    const std::int64_t sample = std::max<std::int64_t>(1, std::chrono::nanoseconds(run).count());
    const std::int64_t old = mean_ns_.load(std::memory_order_relaxed);
    mean_ns_.store(old == 0 ? sample : old + (sample - old) / 16, std::memory_order_relaxed);
  }
  [[nodiscard]] std::chrono::nanoseconds mean() const noexcept {
    return std::chrono::nanoseconds(mean_ns_.load(std::memory_order_relaxed));
  }

 private:
  std::atomic<std::int64_t> mean_ns_{0};
};

/// How many runs of `mean_run` `threads` threads finish in `window`, at most `most`.
inline std::size_t runs_in(std::chrono::milliseconds window, std::size_t most, std::size_t threads,
                           std::chrono::nanoseconds mean_run) {
  if (mean_run.count() <= 0) return 0;
  const auto per_thread = static_cast<std::size_t>(std::chrono::nanoseconds(window) / mean_run);
  return std::min(most, threads * per_thread);
}

/// What bounds the jobs fetched ahead of the threads: the store's say
/// (StoreCapabilities::reliable_fetch, StoreTuning::prefetch_limit) and the user's
/// (ProcessorOptions::prefetch).
struct PrefetchRule {
  bool reliable_fetch = false;
  std::size_t most = StoreTuning{}.prefetch_limit;  ///< the store's prefetch_limit
  std::optional<std::size_t> chosen{};  ///< ProcessorOptions::prefetch
};

/// Jobs held at most (running + waiting) by `threads` threads whose runs take
/// `mean_run` on average (zero: not known yet). Without reliable fetch a crash would
/// lose the waiting ones: only what idle threads start now. With it: twice the threads
/// at least, and as many more as the threads finish in prefetch_window (at most
/// rule.most more); rule.chosen, when set, replaces that default.
inline std::size_t hold_limit(std::size_t threads, const PrefetchRule& rule, std::chrono::nanoseconds mean_run) {
  if (!rule.reliable_fetch) return threads;
  if (rule.chosen) return threads + *rule.chosen;
  return std::max(2 * threads, threads + runs_in(prefetch_window, rule.most, threads, mean_run));
}

/// ProcessorOptions::unacknowledged_limit's default: max(threads, 16), or as many as the
/// threads finish in ack_window when that is more.
inline std::size_t default_unacknowledged_limit(std::size_t threads, std::chrono::nanoseconds mean_run) {
  return std::max({threads, std::size_t{16}, runs_in(ack_window, max_unacknowledged, threads, mean_run)});
}

}  // namespace errand::detail
