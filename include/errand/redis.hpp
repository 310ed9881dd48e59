// The Redis store: Sidekiq's keys and payloads, so Ruby Sidekiq shares the same Redis.
#pragma once

#include <errand/store.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace errand {

/// TLS for `rediss://` URLs. The server's certificate is verified, against the system's
/// trusted CAs or `ca_file`, and must name the host connected to (SNI is sent too).
struct RedisTlsOptions {
  bool enabled = false;  ///< set by `rediss://`
  /// Check the server's certificate and host name. Turn off only for testing
  /// (`ssl_cert_reqs=none` or `#insecure` in the URL): anyone in between could listen.
  bool verify_peer = true;
  std::string ca_file;    ///< PEM file of the CA(s) to trust; empty = the system's (`ssl_ca_certs=`)
  std::string cert_file;  ///< PEM client certificate, for servers that ask for one (`ssl_certfile=`)
  std::string key_file;   ///< its private key, PEM (`ssl_keyfile=`)
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  int db = 0;
  std::string username;  ///< ACL user; empty = `AUTH password` only
  std::string password;

  /// Prefix for every key, as the redis-namespace gem does for Sidekiq 6
  /// (`myapp` → `myapp:queue:default`). Empty = no prefix.
  std::string key_namespace;

  RedisTlsOptions tls;

  /// The Sidekiq whose Web UI and API read this Redis: the format of the timestamps
  /// (float seconds up to 7.x, integer milliseconds from 8.0), backtraces and busy-jobs
  /// key errand writes. Client and Processor on this store both follow it.
  SidekiqVersion sidekiq_version = SidekiqVersion::v6;

  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};  ///< per round trip, blocking fetch excepted
  std::size_t pool_size = 5;  ///< connections for enqueues, acks, heartbeats and admin commands
  /// Connections for fetching, opened as needed. Reliable fetch waits on every queue
  /// at once with one blocking connection per queue, so keep it at least the number of
  /// queues a processor works (more with several processors on one store).
  std::size_t fetch_pool_size = 64;

  /// Keep each fetched job in a per-process in-progress list until it is done, and give
  /// the jobs of crashed processes back to their queues: no job is lost when a process
  /// is killed. Costs one LREM per job (see docs/reliability.md). Ruby Sidekiq processes
  /// on the same Redis are unaffected; they just do not rescue errand's lists.
  bool reliable_fetch = true;

  /// Parses `redis://[[user]:password@]host[:port][/db][?param=value&...]`, or
  /// `rediss://...` for TLS. The parameters (values percent-encoded):
  ///
  ///   namespace=myapp          key_namespace
  ///   pool_size=10             pool_size
  ///   fetch_pool_size=16       fetch_pool_size
  ///   sidekiq_version=8        sidekiq_version (6, 7 or 8)
  ///   ssl_ca_certs=/ca.pem     tls.ca_file        (rediss only; redis-py's names)
  ///   ssl_certfile=/c.pem      tls.cert_file
  ///   ssl_keyfile=/k.pem       tls.key_file
  ///   ssl_cert_reqs=none       tls.verify_peer = false ("required", the default, = true)
  ///
  /// and the fragment `#insecure` (redis-rs's way) is `ssl_cert_reqs=none`.
  /// Throws errand::ConfigError, whose message never holds the password.
  [[nodiscard]] static RedisOptions from_url(std::string_view url);
};

[[nodiscard]] std::shared_ptr<Store> connect_redis(const RedisOptions& options);

}  // namespace errand
