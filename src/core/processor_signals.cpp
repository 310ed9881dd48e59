// Processor::run_until_signal: TERM/INT stop, TSTP quiets, a second TERM/INT forces the exit.
#include "core/processor_impl.hpp"

#include "core/log.hpp"
#include "core/signals.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>

namespace errand {

void Processor::Impl::run_until_signal() {
  detail::SignalWatcher signals;
  start();
  while (!stop_requested_) {
    const std::optional<int> signal = signals.wait(std::chrono::milliseconds(200));
    if (signal == SIGTSTP) {
      quiet();
    } else if (signal == SIGINT || signal == SIGTERM) {
      detail::log_safely(*logger_, LogLevel::info, [&] {
        return fmt::format("errand: received {}; a second one forces the exit", *signal == SIGINT ? "INT" : "TERM");
      });
      break;
    }
  }
  const auto second_signal = [&signals] {
    const std::optional<int> signal = signals.wait(std::chrono::milliseconds(0));
    return signal == SIGINT || signal == SIGTERM;
  };
  if (!stop(second_signal)) {
    detail::log_safely(*logger_, LogLevel::warn, [] {
      return std::string("errand: forced exit: running jobs were pushed back to their queues");
    });
    std::_Exit(EXIT_FAILURE);  // the job threads may never return; their jobs are safe
  }
}

}  // namespace errand
