// Shutdown signals for Processor::run_until_signal, by the self-pipe trick: whichever
// thread the kernel picks runs a handler that only writes the signal's number to a pipe.
#pragma once

#include <chrono>
#include <csignal>
#include <optional>

namespace errand::detail {

/// INT, TERM and TSTP: the signals that stop or quiet a processor.
[[nodiscard]] sigset_t shutdown_signals();

/// Blocks the shutdown signals in this thread while it lives, so that every thread
/// started meanwhile (pools, workers) inherits the block and a SignalWatcher alone
/// takes them.
class ShutdownSignalsBlocked {
 public:
  ShutdownSignalsBlocked();
  ShutdownSignalsBlocked(const ShutdownSignalsBlocked&) = delete;
  ShutdownSignalsBlocked& operator=(const ShutdownSignalsBlocked&) = delete;
  ~ShutdownSignalsBlocked();

 private:
  sigset_t previous_{};
};

class SignalWatcher {
 public:
  /// Installs handlers for INT, TERM and TSTP, then unblocks them in this thread (a
  /// program may block them at the top of main, so that one arriving during start-up
  /// waits for this). Throws ConfigError if another watcher is active.
  SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  /// Restores the previous handlers and signal mask.
  ~SignalWatcher();

  /// The next signal received, or nullopt after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  struct sigaction previous_tstp_ {};
  sigset_t previous_mask_{};
};

}  // namespace errand::detail
