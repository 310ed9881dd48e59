#include "core/fetcher.hpp"

#include "core/log.hpp"
#include "core/sleep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>

namespace errand::detail {
namespace {

constexpr std::chrono::milliseconds fetch_wait{2000};  // Sidekiq's BRPOP timeout
constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{5000};

/// A job's rank in the hand-off: its queue's place in a strict order, so that a job of a
/// more urgent queue runs before the less urgent ones fetched earlier; 0 for weighted
/// queues, whose order changes with every fetch.
std::size_t urgency(const QueueList& queues, const FetchedJob& job) {
  if (queues.mode() != QueueList::Mode::strict) return 0;
  const auto& names = queues.names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), job.queue) - names.begin());
}

}  // namespace

std::size_t Fetcher::fetch_size(const QueueList& queues, std::size_t room) {
  constexpr std::size_t urgent_fetch = 100;
  const bool priorities = ranks(queues) > 1;  // several queues in strict order
  return priorities ? std::min(room, urgent_fetch) : room;
}

std::size_t Fetcher::ranks(const QueueList& queues) {
  return queues.mode() == QueueList::Mode::strict ? queues.names().size() : 1;
}

void Fetcher::run(std::stop_token stop) {
  std::mt19937_64 rng(std::random_device{}());
  std::chrono::milliseconds backoff = first_backoff;
  if (!registered_(stop)) return;
  while (!stop.stop_requested()) {
    const std::size_t room = handoff_.wait_for_room(stop);
    if (room == 0) break;
    // Odd while jobs may be in the store's in-progress list but not yet in memory.
    transfers_.fetch_add(1);
    struct TransferDone {
      std::atomic<std::uint64_t>& transfers;
      ~TransferDone() { transfers.fetch_add(1); }
    } done{transfers_};
    std::vector<FetchedJob> jobs;
    try {
      jobs = store_.job_fetch({queues_.fetch_order(rng), fetch_size(queues_, room), fetch_wait, stop, owner_});
      backoff = first_backoff;
    } catch (const std::exception& e) {
      log_safely(logger_, LogLevel::error, [&] {
        return fmt::format("errand: fetching from {} failed: {}; trying again in {} ms", store_.name(), e.what(),
                           backoff.count());
      });
      sleep_for(backoff, stop);
      backoff = std::min(backoff * 2, max_backoff);
      continue;
    }
    if (jobs.empty()) continue;
    if (stop.stop_requested() ||
        !handoff_.push_all(jobs, [this](const FetchedJob& job) { return urgency(queues_, job); })) {
      try {
        store_.job_give_back({.jobs = jobs, .owner = owner_});
      } catch (const std::exception& e) {
        for (const auto& job : jobs) {
          log_safely(logger_, LogLevel::error, [&] {
            return fmt::format("errand: could not push a job fetched during shutdown back to queue {}: {}; "
                               "job lost: {}",
                               job.queue, e.what(), job.payload);
          });
        }
      }
      break;
    }
  }
}

}  // namespace errand::detail
