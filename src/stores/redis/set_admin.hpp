// Admin operations on Sidekiq's sorted sets and queues, as Sidekiq::SortedEntry#retry,
// #delete and Sidekiq::Queue#clear do them, each job moved atomically.
#pragma once

#include <errand/store.hpp>

#include "redis/keys.hpp"
#include "redis/pool.hpp"
#include "redis/script_runner.hpp"

namespace errand::redis {

class SetAdmin {
 public:
  SetAdmin(const Keys& keys, Pool& pool, ScriptRunner& scripts) : keys_(keys), pool_(pool), scripts_(scripts) {}

  std::size_t enqueue_now(const std::string& set_key, const SetSelection& which);
  std::size_t remove(const std::string& set_key, const SetSelection& which);
  std::size_t clear_queue(std::string_view queue);

 private:
  /// The members of the set that `which` selects.
  std::vector<std::string> selected(const std::string& set_key, const SetSelection& which);

  const Keys& keys_;
  Pool& pool_;
  ScriptRunner& scripts_;
};

}  // namespace errand::redis
