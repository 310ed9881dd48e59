// Taking jobs from Redis queues: a batch at once when jobs are ready, else a blocking
// wait. With reliable fetch every job moves atomically into the owner's in-progress list.
#pragma once

#include <errand/store.hpp>

#include "redis/keys.hpp"
#include "redis/pool.hpp"
#include "redis/script_runner.hpp"

#include <cstddef>
#include <mutex>
#include <vector>

namespace errand::redis {

class QueueFetcher {
 public:
  QueueFetcher(const Keys& keys, Pool& fetch_pool, Pool& pool, ScriptRunner& scripts, bool reliable)
      : keys_(keys), fetch_pool_(fetch_pool), pool_(pool), scripts_(scripts), reliable_(reliable) {}

  std::vector<FetchedJob> fetch(const JobFetchParams& params);

  /// FetchConnections: a processor's fetcher waiting on `queues` queues holds
  /// that many fetch connections with reliable fetch, one without.
  void reserve(std::size_t queues);
  void release(std::size_t queues) noexcept;

 private:
  [[nodiscard]] std::size_t connections_for(std::size_t queues) const noexcept { return reliable_ ? queues : 1; }
  /// The fetch script: up to `max` ready jobs, queues in order.
  std::vector<FetchedJob> take_ready(Connection& c, const JobFetchParams& params, const std::vector<std::string>& keys);
  /// Basic fetch's wait: BRPOP over all queues, as Sidekiq.
  std::vector<FetchedJob> wait_brpop(Connection& c, const JobFetchParams& params, const std::vector<std::string>& keys);
  /// Reliable fetch's wait: one BLMOVE per queue into the in-progress list, each on its
  /// own connection, waited on together; the first job to come ends the others' waits.
  std::vector<FetchedJob> wait_blmove(const JobFetchParams& params, const std::vector<std::string>& keys);
  /// Ends the blocking commands of these connections at once (CLIENT UNBLOCK).
  void unblock(const std::vector<std::string>& client_ids);

  const Keys& keys_;
  Pool& fetch_pool_;
  Pool& pool_;
  ScriptRunner& scripts_;
  bool reliable_;
  std::mutex reserved_mutex_;
  std::size_t reserved_ = 0;  // fetch connections reserved by running processors
};

}  // namespace errand::redis
