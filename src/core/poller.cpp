#include "core/poller.hpp"

#include "core/log.hpp"
#include "core/sleep.hpp"

#include <fmt/format.h>

#include <random>

namespace errand::detail {
namespace {
constexpr std::size_t batch = 1000;
}

bool Poller::has_work(Store& store) {
  return !store.capabilities().schedules_itself || store.held_jobs() != nullptr;
}

std::size_t Poller::enqueue_due() {
  if (store_.capabilities().schedules_itself) return 0;
  std::size_t total = 0;
  for (;;) {
    const std::size_t moved = store_.job_schedule_due({.now = Clock::now(), .max = batch});
    total += moved;
    if (moved < batch) return total;
  }
}

void Poller::rescue() {
  HeldJobs* held_jobs = store_.held_jobs();
  if (held_jobs == nullptr) return;
  const std::size_t rescued = held_jobs->job_give_back_orphaned({.rescuer = owner_});
  if (rescued > 0) {
    log_safely(logger_, LogLevel::warn, [&] {
      return fmt::format("errand: gave {} job(s) of stopped or crashed processes back to their queues", rescued);
    });
  }
  const std::uint64_t before = transfers_.load();
  const std::vector<std::string> listed = held_jobs->job_list_held({.owner = owner_});
  const std::vector<std::string> held = held_();
  std::vector<std::string> stranded = stranded_.update(listed, held, before, transfers_.load());
  if (stranded.empty()) return;
  const std::size_t reclaimed = held_jobs->job_give_back_stranded({.owner = owner_, .payloads = std::move(stranded)});
  log_safely(logger_, LogLevel::warn, [&] {
    return fmt::format("errand: gave back {} job(s) left in this process's in-progress list by a connection error",
                       reclaimed);
  });
}

void Poller::run(std::stop_token stop) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  using ms = std::chrono::milliseconds;
  // A random first wait spreads processes that start together.
  const ms first = options_.poll_interval_average.value_or(options_.average_scheduled_poll_interval);
  sleep_for(ms(static_cast<ms::rep>(static_cast<double>(first.count()) * uniform(rng))), stop);
  while (!stop.stop_requested()) {
    std::int64_t processes = 1;
    try {
      rescue();
      const std::size_t moved = enqueue_due();
      if (moved > 0) {
        log_safely(logger_, LogLevel::debug, [&] { return fmt::format("errand: enqueued {} due job(s)", moved); });
      }
      if (!options_.poll_interval_average) processes = store_.process_count();
    } catch (const std::exception& e) {
      log_safely(logger_, LogLevel::error, [&] {
        return fmt::format("errand: moving due scheduled jobs and retries failed: {}; trying again later", e.what());
      });
    }
    // Sidekiq's formula: an average of (processes × 5 s), so that across the cluster
    // some process polls about every 5 s; uniform in [0.5, 1.5] × average.
    const double average = options_.poll_interval_average
                               ? static_cast<double>(options_.poll_interval_average->count())
                               : static_cast<double>(processes * options_.average_scheduled_poll_interval.count());
    const double wait = processes < 10 ? average * uniform(rng) + average / 2 : average * uniform(rng);
    sleep_for(ms(static_cast<ms::rep>(wait)), stop);
  }
}

}  // namespace errand::detail
