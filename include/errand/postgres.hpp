// The Postgres store: pgmq's tables on plain Postgres (no extension needed), so that
// Rust apps using pgmq or Roadster can share queues with errand.
//
//   auto store = errand::connect_postgres(errand::PostgresOptions::from_url("postgres://app@db/app"));
//   errand::Client client{store};
//   client.enqueue<Welcome>(42);
//
// Enqueue inside your own transaction, on your own libpq connection: the job exists only
// if the transaction commits.
//
//   PQexec(conn, "BEGIN");
//   ... your writes ...
//   client.with_store(errand::postgres_transaction(store, conn)).enqueue<Welcome>(42);
//   PQexec(conn, "COMMIT");
//
// See docs/postgres.md for the schema, delivery guarantees and pgmq compatibility.
#pragma once

#include <errand/store.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

typedef struct pg_conn PGconn;  // libpq's connection; the same declaration as libpq-fe.h

namespace errand {

struct PostgresOptions {
  /// A libpq connection string or URL: `postgres://user:pass@host:5432/db?sslmode=require`.
  std::string url = "postgres://localhost/errand";
  std::size_t pool_size = 8;  ///< connections for enqueues, fetches and acknowledgements

  /// How long a fetched job stays invisible to other processes (pgmq's `vt`). Heartbeats
  /// extend it for every job the process still holds; a killed process's jobs are
  /// visible again once it runs out. Keep it well above the heartbeat interval.
  std::chrono::seconds visibility_timeout{30};
  /// An idle fetch waits for a NOTIFY from an enqueue; it also looks this often, for
  /// jobs that become due (scheduled, retries) and ones other producers inserted.
  std::chrono::milliseconds poll_interval{500};

  /// What happens to a finished job: deleted (pgmq's `delete`, Roadster's default) or
  /// moved to the queue's archive table (pgmq's `archive`).
  enum class Completion { remove, archive };
  Completion on_success = Completion::remove;

  /// Parses `postgres://...` or `postgresql://...`. Throws errand::ConfigError.
  [[nodiscard]] static PostgresOptions from_url(std::string_view url);
};

/// Opens the store, creating pgmq's catalog and errand's own tables if missing (an
/// existing pgmq installation is used as it is). Throws errand::ConnectionError.
[[nodiscard]] std::shared_ptr<Store> connect_postgres(const PostgresOptions& options);

/// A view of a Postgres store whose enqueues run on `conn`, in whatever transaction is
/// open there: rolled back, the jobs never existed; committed, idle processors wake at
/// once. Everything else goes to `store`. `conn` stays yours; keep it alive while the
/// view is used. Throws errand::ArgumentError if `store` is not a Postgres store.
[[nodiscard]] std::shared_ptr<Store> postgres_transaction(const std::shared_ptr<Store>& store, PGconn* conn);

/// Throws errand::ArgumentError unless `name` can be a pgmq queue: 1-47 characters of
/// a-z, 0-9 and _ (the table is `pgmq.q_<name>`).
void validate_pgmq_queue_name(std::string_view name);

}  // namespace errand
