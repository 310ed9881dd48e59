// Child processes for interop tests (Ruby scripts, a real `sidekiq`), stopped by PID.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace errand::test {

/// Runs `command` through /bin/sh and returns (exit status, stdout).
std::pair<int, std::string> run_shell(const std::string& command);

/// A background child process; killed (TERM, then KILL after 10 s) when destroyed.
class Subprocess {
 public:
  /// Starts `argv` with `env` added to the environment; stdout and stderr go to `log_path`.
  Subprocess(std::vector<std::string> argv, std::vector<std::string> env, const std::string& log_path);
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// Whether the process has ended (it is then reaped; stop() does nothing).
  [[nodiscard]] bool exited();
  /// Sends `signal` and waits up to `timeout` for the exit; then SIGKILL. Returns the wait status.
  int stop(int signal, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
};

/// The whole content of a file ("" if missing).
std::string read_file(const std::string& path);

}  // namespace errand::test
