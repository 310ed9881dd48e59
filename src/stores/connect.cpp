// errand::connect: a store chosen by URL scheme.
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/postgres.hpp>
#include <errand/redis.hpp>
#include <errand/sqlite.hpp>
#include <errand/store.hpp>

#include "kit/url_secrets.hpp"

#include <fmt/format.h>

namespace errand {

std::shared_ptr<Store> connect(std::string_view url) {
  if (url.starts_with("redis://") || url.starts_with("rediss://")) return connect_redis(RedisOptions::from_url(url));
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return connect_postgres(PostgresOptions::from_url(url));
  }
  if (url.starts_with("sqlite://")) return connect_sqlite(SqliteOptions::from_url(url));
  if (url == "memory://" || url == "memory:") return make_memory_store();
  throw ConfigError(fmt::format("errand: no store for URL \"{}\"; use redis://host:port/db (rediss:// for TLS), "
                                "postgres://user@host/db, sqlite://path/to/file.db or memory://",
                                detail::masked_url(url)));
}

std::shared_ptr<Store> connect(const BackendConfig& backend) {
  if (backend.kind != BackendConfig::Kind::postgres) return connect(backend.url);
  PostgresOptions options = PostgresOptions::from_url(backend.url);
  if (backend.visibility_timeout) options.visibility_timeout = *backend.visibility_timeout;
  if (backend.archive_on_success) {
    options.on_success = *backend.archive_on_success ? PostgresOptions::Completion::archive
                                                     : PostgresOptions::Completion::remove;
  }
  return connect_postgres(options);
}

}  // namespace errand
