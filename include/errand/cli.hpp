// The `errand` command line, inside your own program: `run` works your workers, and the
// admin commands (enqueue, stats, queues, retries, dead, scheduled, clear) work on any store.
//
//   int main(int argc, char** argv) {
//     errand::WorkerRegistry workers;
//     workers.add<SendInvoice>();
//     return errand::cli::main(argc, argv, workers);   // `my_app run -c 5 -q billing`
//   }
//
// Every command, option and exit code: docs/cli.md. The `errand` executable errand
// installs is this with no workers: it administers stores but cannot `run`.
#pragma once

#include <errand/config.hpp>
#include <errand/processor.hpp>
#include <errand/registry.hpp>

#include <functional>
#include <iosfwd>

namespace errand::cli {

// Exit statuses of errand::cli::main.
inline constexpr int exit_ok = 0;           ///< done (`run`: stopped by TERM or INT)
inline constexpr int exit_failure = 1;      ///< could not be done: store unreachable, job not found, ...
inline constexpr int exit_usage_error = 2;  ///< the command line or configuration is wrong; nothing was done

struct Options {
  /// Called for each processor `run` builds, after its workers are registered and
  /// before it starts: add server middleware, error handlers, a logger's settings.
  std::function<void(Processor& processor, const BackendConfig& backend)> configure_processor{};
  std::ostream* out = nullptr;  ///< results (tables, JSON); null: std::cout
  std::ostream* err = nullptr;  ///< error lines; null: std::cerr
};

/// Parses `argv` and runs the command; returns the exit status (exit_ok, exit_failure, exit_usage_error). `run`
/// runs a copy of `registry` on every configured store and returns when stopped by a
/// signal. Never throws: every error becomes one "errand: ..." line on `err`.
[[nodiscard]] int main(int argc, const char* const* argv, const WorkerRegistry& registry,
                       const Options& options = {});

}  // namespace errand::cli
