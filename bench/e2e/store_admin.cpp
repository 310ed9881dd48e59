#include "store_admin.hpp"

#include "store_admins.hpp"

#include <errand/error.hpp>

#include <string>

namespace errand::bench {
namespace {

const StoreSideDoor& admin_for(std::string_view url) {
  const StoreKind kind = store_kind(url);
  if (const StoreSideDoor* admin = linked_store(kind)) return *admin;
  throw ConfigError("errand_bench: this binary does not link the " + std::string(store_kind_name(kind)) +
                    " store; use errand_bench_" + std::string(store_kind_name(kind)) +
                    " or errand_bench (every store)");
}

}  // namespace

StoreKind store_kind(std::string_view url) {
  if (url.starts_with("redis://")) return StoreKind::redis;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return StoreKind::postgres;
  if (url.starts_with("sqlite://")) return StoreKind::sqlite;
  throw ConfigError("errand_bench: no benchmark for the store at \"" + std::string(url) +
                    "\"; use redis://host:port/db, postgresql://user@host:port/db or sqlite://path/to/file.db");
}

std::string_view store_kind_name(StoreKind kind) noexcept {
  switch (kind) {
    case StoreKind::redis: return "redis";
    case StoreKind::postgres: return "postgres";
    case StoreKind::sqlite: return "sqlite";
  }
  return "?";
}

std::shared_ptr<Store> open_store(std::string_view url, std::size_t pool) { return admin_for(url).open(url, pool); }

void reset_store(std::string_view url) { admin_for(url).reset(url); }

ServerCounters read_server_counters(std::string_view url) { return admin_for(url).counters(url); }

std::optional<double> per_job(std::optional<std::int64_t> before, std::optional<std::int64_t> after,
                              std::int64_t jobs) {
  if (!before || !after || jobs <= 0) return std::nullopt;
  return static_cast<double>(*after - *before) / static_cast<double>(jobs);
}

}  // namespace errand::bench
