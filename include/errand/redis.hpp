// The Redis store: Sidekiq's keys and payloads, so Ruby Sidekiq shares the same Redis.
#pragma once

#include <errand/store.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace errand {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  int db = 0;
  std::string username;  ///< ACL user; empty = `AUTH password` only
  std::string password;

  /// Prefix for every key, as the redis-namespace gem does for Sidekiq 6
  /// (`myapp` → `myapp:queue:default`). Empty = no prefix.
  std::string key_namespace;

  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};  ///< per round trip, blocking fetch excepted
  std::size_t pool_size = 5;                         ///< connections for enqueues and acks

  /// Keep each fetched job in a per-process in-progress list until it is done, and give
  /// the jobs of crashed processes back to their queues: no job is lost when a process
  /// is killed. Costs one LREM per job (see docs/reliability.md). Ruby Sidekiq processes
  /// on the same Redis are unaffected; they just do not rescue errand's lists.
  bool reliable_fetch = true;

  /// Parses `redis://[[user]:password@]host[:port][/db]`. Throws errand::ConfigError.
  [[nodiscard]] static RedisOptions from_url(std::string_view url);
};

[[nodiscard]] std::shared_ptr<Store> connect_redis(const RedisOptions& options);

}  // namespace errand
