// Sidekiq's process registry on Redis: the heartbeat (process hash, `processes` set,
// busy-jobs hash, signals list) and the stats counters, as Sidekiq's Launcher writes them.
#pragma once

#include <errand/store.hpp>

#include "redis/keys.hpp"
#include "redis/pool.hpp"

namespace errand::redis {

class ProcessRegistry {
 public:
  /// With `reliable_fetch`, each beat also renews the process's liveness key and
  /// registers it as an owner of an in-progress list. `version` decides the name of the
  /// busy-jobs hash (`:workers` before 6.5, `:work` from 6.5; 6.x writes both).
  ProcessRegistry(const Keys& keys, Pool& pool, bool reliable_fetch, SidekiqVersion version)
      : keys_(keys), pool_(pool), reliable_fetch_(reliable_fetch), version_(version) {}

  ProcessBeatResult beat(const ProcessBeatParams& params);
  void stop(std::string_view identity);
  std::int64_t count();
  StoreStats stats();

 private:
  const Keys& keys_;
  Pool& pool_;
  bool reliable_fetch_;
  SidekiqVersion version_;
};

}  // namespace errand::redis
