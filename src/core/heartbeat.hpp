// The heartbeat: registers the process where Sidekiq's Web UI and API look for it,
// reports its busy jobs, flushes the stats counters, and picks up remote signals.
#pragma once

#include <errand/logger.hpp>
#include <errand/processor.hpp>
#include <errand/store.hpp>

#include "core/job_runner.hpp"

#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

namespace errand::detail {

/// "hostname:pid:nonce" (hostname from $DYNO if set), as Sidekiq makes it.
std::string make_process_identity();

class Heartbeat {
 public:
  struct Hooks {
    std::function<std::vector<BusyJob>()> busy;       ///< what the worker threads run now
    std::function<std::vector<FetchedJob>()> held;    ///< every job in memory (for lease renewal)
    std::function<bool()> quiet;                      ///< true once quiet or stopping
    std::function<void(std::string_view)> on_signal;  ///< "TSTP", "TERM", ... from a dashboard
    std::function<void()> on_registered;              ///< after the first beat that reached the store
  };

  /// `leases` is held from the moment a beat lists the held jobs until the store has
  /// renewed their leases; whoever gives jobs back takes it too, so that a beat never
  /// renews the lease of a job given back after it was listed (it would vanish until
  /// the lease ran out).
  Heartbeat(Store& store, Logger& logger, const ProcessorOptions& options, const Counters& counters,
            std::string identity, std::mutex& leases, Hooks hooks);

  /// Beats until `stop` fires, then flushes the counters one last time and removes the
  /// process from the registry.
  void run(std::stop_token stop);

 private:
  void beat();
  [[nodiscard]] std::string info_json() const;

  Store& store_;
  Logger& logger_;
  const ProcessorOptions& options_;
  const Counters& counters_;
  std::string identity_;
  std::mutex& leases_;
  Hooks hooks_;
  std::string info_;
  std::uint64_t processed_flushed_ = 0;
  std::uint64_t failed_flushed_ = 0;
  bool registered_ = false;
};

}  // namespace errand::detail
