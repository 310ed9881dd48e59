// Acknowledges finished jobs in batches, by group commit: a worker thread hands its job
// over and takes the next one; one thread writes everything handed over since its last
// write in one store call (one round trip for the batch). Under light load a batch is a
// single job, written at once; under heavy load batches grow by themselves.
//
// The jobs on their way are bounded (back-pressure): a worker that finishes a job while
// `limit()` are on their way waits for room. The bound is what a crash costs: a killed
// process's finished-but-unacknowledged jobs come back and run again.
//
// A job stays listed in pending() until its acknowledgement is written, so that to the
// rest of the processor it is still held: its lease is renewed and it is never taken
// for stranded.
#pragma once

#include <errand/logger.hpp>
#include <errand/store.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace errand::detail {

class Completions {
 public:
  /// At most `limit()` acknowledgements on their way (asked at each add, so it may move
  /// with the pace of the jobs); a limit of 0 writes each one in add(), on the caller's
  /// thread, before it returns.
  Completions(Store& store, Logger& logger, std::string owner, std::function<std::size_t()> limit)
      : store_(store), logger_(logger), owner_(std::move(owner)), limit_(std::move(limit)) {}
  Completions(const Completions&) = delete;
  Completions& operator=(const Completions&) = delete;
  /// Writes what is left, then stops.
  ~Completions() { stop(); }

  void start();
  /// Queues `job`'s acknowledgement, waiting while `limit()` are on their way already.
  void add(const FetchedJob& job);
  /// A job that succeeded after shutdown had pushed it back to its queue: removes the
  /// pushed-back copy where the store can (so it does not run twice), and says which.
  void complete_given_back(const FetchedJob& job, std::string_view class_name, std::string_view jid);
  /// Jobs handed over whose acknowledgement is not written yet.
  [[nodiscard]] std::vector<FetchedJob> pending();
  /// Writes everything handed over so far, then ends the writing thread. Idempotent.
  void stop();

 private:
  void run(const std::stop_token& stop);
  /// Writes `batch` (errors are logged: the jobs stay in progress in the store, where
  /// the stranded-jobs check or their lease gives them back).
  void write(const std::vector<FetchedJob>& batch);

  Store& store_;
  Logger& logger_;
  std::string owner_;
  std::function<std::size_t()> limit_;
  std::mutex mutex_;
  std::condition_variable_any added_;
  std::condition_variable room_;
  std::vector<FetchedJob> queued_;
  std::vector<FetchedJob> writing_;
  bool stopped_ = false;  // no writing thread any more: add() writes itself
  std::jthread thread_;
};

}  // namespace errand::detail
