#include "redis/options_check.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

#include <string_view>

namespace errand::redis {
namespace {

void check_pool(std::string_view field, std::size_t size, std::string_view parameter, std::string_view key) {
  if (size >= 1 && size <= max_pool_size) return;
  throw ConfigError(fmt::format("errand: RedisOptions::{} is {}; it must be from 1 to {} connections ({}= in the URL, "
                                "service.sidekiq.redis.{} in the config)",
                                field, size, max_pool_size, parameter, key));
}

void check_timeout(std::string_view field, std::chrono::milliseconds value) {
  if (value.count() >= 1) return;
  throw ConfigError(fmt::format("errand: RedisOptions::{} is {} ms; it must be at least 1 ms (with 0, every attempt "
                                "would time out at once)",
                                field, value.count()));
}

void check_tls(const RedisTlsOptions& tls) {
  if (!tls.enabled) {
    const std::string_view set = !tls.ca_file.empty()     ? "tls.ca_file"
                                 : !tls.cert_file.empty() ? "tls.cert_file"
                                 : !tls.key_file.empty()  ? "tls.key_file"
                                 : !tls.verify_peer       ? "tls.verify_peer = false"
                                                          : "";
    if (!set.empty()) {
      throw ConfigError(fmt::format("errand: RedisOptions::{} is a TLS setting, but TLS is off; connect with a "
                                    "rediss:// URL (or set tls.enabled)",
                                    set));
    }
    return;
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw ConfigError("errand: RedisOptions::tls.cert_file and tls.key_file go together (a client certificate and "
                      "its key); give both or neither");
  }
  if (!tls.verify_peer && !tls.ca_file.empty()) {
    throw ConfigError(fmt::format(
        "errand: RedisOptions::tls.ca_file (\"{}\") names a CA to check the server's certificate against, but "
        "tls.verify_peer is false, which skips that check; keep one: verify_peer = true to check against that CA, "
        "or no ca_file to skip checks (for testing only)",
        tls.ca_file));
  }
}

}  // namespace

void check_options(const RedisOptions& options) {
  if (options.port == 0) throw ConfigError("errand: RedisOptions::port is 0; give the server's port (6379 by default)");
  if (options.db < 0) {
    throw ConfigError(fmt::format("errand: RedisOptions::db is {}; a database number is at least 0", options.db));
  }
  check_pool("pool_size", options.pool_size, "pool_size", "enqueue-pool.max-connections");
  check_pool("fetch_pool_size", options.fetch_pool_size, "fetch_pool_size", "fetch-pool.max-connections");
  check_timeout("connect_timeout", options.connect_timeout);
  check_timeout("command_timeout", options.command_timeout);
  check_tls(options.tls);
}

}  // namespace errand::redis
