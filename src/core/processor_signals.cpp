// run_until_signal for one processor or several: TSTP quiets them all, TERM/INT stops them
// all at once, and a second TERM/INT pushes every processor's running jobs back and exits.
#include "core/processor_impl.hpp"

#include "core/log.hpp"
#include "core/signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <optional>
#include <vector>

namespace errand {
namespace {

bool is_stop(std::optional<int> signal) { return signal == SIGINT || signal == SIGTERM; }

}  // namespace

void run_until_signal(std::span<Processor* const> processors) {
  if (processors.empty()) throw ConfigError("errand: run_until_signal got no processor; pass at least one");
  std::vector<Processor::Impl*> group;
  for (Processor* processor : processors) {
    if (processor == nullptr) throw ConfigError("errand: run_until_signal got a null Processor*; pass live processors");
    if (std::ranges::find(group, processor->impl_.get()) != group.end()) {
      throw ConfigError(fmt::format("errand: run_until_signal got processor {} twice; pass each processor once",
                                    processor->identity()));
    }
    group.push_back(processor->impl_.get());
  }
  Processor::Impl::run_until_signal(group);
}

void Processor::Impl::start_all(std::span<Impl* const> group) {
  std::size_t started = 0;
  try {
    for (Impl* processor : group) {
      processor->start();
      ++started;
    }
  } catch (...) {
    // One could not start (its store is unreachable, say): those already running stop
    // as at a TERM, so that none is left fetching behind the error.
    for (std::size_t i = 0; i < started; ++i) {
      try {
        (void)group[i]->stop([] { return false; });
      } catch (const std::exception& e) {
        detail::log_safely(*group[i]->logger_, LogLevel::error, [&] {
          return fmt::format("errand: stopping processor {} after another failed to start: {}", group[i]->identity_,
                             e.what());
        });
      }
    }
    throw;
  }
}

void Processor::Impl::run_until_signal(std::span<Impl* const> group) {
  detail::SignalWatcher signals;
  Logger& logger = *group.front()->logger_;
  start_all(group);
  const auto stop_requested = [&group] {
    return std::ranges::any_of(group, [](const Impl* processor) { return processor->stop_requested_.load(); });
  };
  while (!stop_requested()) {
    const std::optional<int> signal = signals.wait(std::chrono::milliseconds(200));
    if (signal == SIGTSTP) {
      for (Impl* processor : group) processor->quiet();
    } else if (is_stop(signal)) {
      detail::log_safely(logger, LogLevel::info, [&] {
        return fmt::format("errand: received {}; stopping {} processor{}; a second one forces the exit",
                           *signal == SIGINT ? "INT" : "TERM", group.size(), group.size() == 1 ? "" : "s");
      });
      break;
    }
  }

  // Every processor stops on a thread of its own, so that their shutdown timeouts run
  // side by side; this thread watches for a second TERM/INT, which each stop() polls.
  std::atomic<bool> forced{false};
  std::atomic<std::size_t> finished{0};
  std::vector<char> stopped_cleanly(group.size(), 1);
  std::vector<std::exception_ptr> errors(group.size());
  {
    std::vector<std::jthread> stoppers;
    for (std::size_t i = 0; i < group.size(); ++i) {
      stoppers.emplace_back([&, i] {
        try {
          stopped_cleanly[i] = group[i]->stop([&forced] { return forced.load(); }) ? 1 : 0;
        } catch (...) {
          errors[i] = std::current_exception();
        }
        ++finished;
      });
    }
    while (finished.load() < group.size()) {
      if (is_stop(signals.wait(std::chrono::milliseconds(50)))) forced = true;
    }
  }
  if (std::ranges::find(stopped_cleanly, 0) != stopped_cleanly.end()) {
    detail::log_safely(logger, LogLevel::warn, [] {
      return std::string("errand: forced exit: running jobs were pushed back to their queues");
    });
    std::_Exit(EXIT_FAILURE);  // the job threads may never return; their jobs are safe
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace errand
