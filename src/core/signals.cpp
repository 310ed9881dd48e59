#include "core/signals.hpp"

#include <errand/error.hpp>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

namespace errand::detail {
namespace {

// A signal handler can reach only static state; this is the one piece errand keeps.
std::atomic<int>& signal_pipe() {
  static std::atomic<int> fd{-1};
  return fd;
}

extern "C" void on_signal(int signal) {
  const int saved_errno = errno;
  const int fd = signal_pipe().load();
  if (fd >= 0) {
    const auto byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGTSTP);
  return set;
}

ShutdownSignalsBlocked::ShutdownSignalsBlocked() {
  const sigset_t ours = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &ours, &previous_);
}

ShutdownSignalsBlocked::~ShutdownSignalsBlocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

SignalWatcher::SignalWatcher() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error("errand: could not create the signal pipe");
  read_fd_ = fds[0];
  write_fd_ = fds[1];
  int expected = -1;
  if (!signal_pipe().compare_exchange_strong(expected, write_fd_)) {
    ::close(read_fd_);
    ::close(write_fd_);
    throw ConfigError("errand: run_until_signal is already running in this process; run one at a time");
  }
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
  sigaction(SIGTSTP, &action, &previous_tstp_);
  const sigset_t ours = shutdown_signals();
  pthread_sigmask(SIG_UNBLOCK, &ours, &previous_mask_);
}

SignalWatcher::~SignalWatcher() {
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  sigaction(SIGTSTP, &previous_tstp_, nullptr);
  signal_pipe().store(-1);
  ::close(read_fd_);
  ::close(write_fd_);
}

std::optional<int> SignalWatcher::wait(std::chrono::milliseconds timeout) {
  pollfd p{read_fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (ready <= 0) return std::nullopt;
  unsigned char byte = 0;
  if (::read(read_fd_, &byte, 1) != 1) return std::nullopt;
  return static_cast<int>(byte);
}

}  // namespace errand::detail
