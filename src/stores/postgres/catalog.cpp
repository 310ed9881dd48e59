#include "postgres/catalog.hpp"

#include <errand/postgres.hpp>

#include <fmt/format.h>

namespace errand::pq {
namespace {

// errand's own tables. pgmq's layout (pgmq.meta, pgmq.q_*, pgmq.a_*) is described in
// docs/postgres.md; the statements below are written from that description.
constexpr const char* errand_schema = R"sql(
CREATE SCHEMA IF NOT EXISTS errand;
CREATE TABLE IF NOT EXISTS errand.processes (
  identity    text PRIMARY KEY,
  info        text NOT NULL,
  beat        timestamptz NOT NULL,
  alive_until timestamptz NOT NULL,
  quiet       boolean NOT NULL,
  busy        integer NOT NULL
);
CREATE TABLE IF NOT EXISTS errand.signals (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  identity text NOT NULL,
  signal   text NOT NULL
);
CREATE TABLE IF NOT EXISTS errand.stats (name text PRIMARY KEY, value bigint NOT NULL);
)sql";

constexpr const char* pgmq_catalog = R"sql(
CREATE SCHEMA IF NOT EXISTS pgmq;
CREATE TABLE IF NOT EXISTS pgmq.meta (
  queue_name     varchar UNIQUE NOT NULL,
  is_partitioned boolean NOT NULL,
  is_unlogged    boolean NOT NULL,
  created_at     timestamptz DEFAULT now() NOT NULL
);
)sql";

/// Serialises schema changes across processes (CREATE ... IF NOT EXISTS races otherwise).
void lock_schema(Connection& c, std::string_view key) {
  c.exec("SELECT pg_advisory_xact_lock(hashtext($1))", Params().add(key));
}

}  // namespace

std::string queue_table(std::string_view queue) { return fmt::format("pgmq.q_{}", queue); }
std::string archive_table(std::string_view queue) { return fmt::format("pgmq.a_{}", queue); }
std::string insert_channel(std::string_view queue) { return fmt::format("pgmq.q_{}.INSERT", queue); }

Catalog::Catalog(Connection& c) {
  c.exec("BEGIN");
  lock_schema(c, "errand.schema");
  c.exec_script(errand_schema);
  const bool has_meta = !c.exec("SELECT to_regclass('pgmq.meta')").is_null(0, 0);
  if (!has_meta) c.exec_script(pgmq_catalog);
  pgmq_functions_ = !c.exec("SELECT to_regprocedure('pgmq.create(text)')").is_null(0, 0);
  c.exec("COMMIT");
}

void Catalog::ensure_queue(Connection& c, std::string_view queue) {
  {
    std::lock_guard lock(mutex_);
    if (known_.contains(queue)) return;
  }
  validate_pgmq_queue_name(queue);
  create_queue(c, queue);
  std::lock_guard lock(mutex_);
  known_.emplace(queue);
}

void Catalog::create_queue(Connection& c, std::string_view queue) {
  if (pgmq_functions_) {
    c.exec("SELECT pgmq.create($1)", Params().add(queue));
  } else {
    const std::string q = queue_table(queue);
    const std::string a = archive_table(queue);
    c.exec("BEGIN");
    // pgmq.create's lock key, so that errand and pgmq never create a queue at once.
    lock_schema(c, fmt::format("pgmq.queue_{}", queue));
    c.exec_script(fmt::format(
        "CREATE TABLE IF NOT EXISTS {q} (msg_id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, "
        "read_ct integer DEFAULT 0 NOT NULL, enqueued_at timestamptz DEFAULT now() NOT NULL, "
        "vt timestamptz NOT NULL, message jsonb, headers jsonb);"
        "CREATE INDEX IF NOT EXISTS q_{n}_vt_idx ON {q} (vt ASC);"
        "CREATE TABLE IF NOT EXISTS {a} (msg_id bigint PRIMARY KEY, read_ct integer DEFAULT 0 NOT NULL, "
        "enqueued_at timestamptz DEFAULT now() NOT NULL, archived_at timestamptz DEFAULT now() NOT NULL, "
        "vt timestamptz NOT NULL, message jsonb, headers jsonb);"
        "CREATE INDEX IF NOT EXISTS archived_at_idx_{n} ON {a} (archived_at);",
        fmt::arg("q", q), fmt::arg("a", a), fmt::arg("n", queue)));
    c.exec("INSERT INTO pgmq.meta (queue_name, is_partitioned, is_unlogged) VALUES ($1, false, false) "
           "ON CONFLICT DO NOTHING",
           Params().add(queue));
    c.exec("COMMIT");
  }
  // errand keeps its bookkeeping in pgmq's headers column (pgmq 1.5 and later).
  const Result headers = c.exec(
      "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'pgmq' AND table_name = $1 "
      "AND column_name = 'headers'",
      Params().add(fmt::format("q_{}", queue)));
  if (headers.integer(0, 0) == 0) {
    throw StoreError(fmt::format("errand: table pgmq.q_{} has no `headers` column: it was made by pgmq older than 1.5 "
                                 "(or pgmq-rs's client-only mode); upgrade pgmq (ALTER EXTENSION pgmq UPDATE)",
                                 queue));
  }
}

std::vector<std::string> Catalog::queues(Connection& c) {
  const Result r = c.exec("SELECT queue_name FROM pgmq.meta ORDER BY queue_name");
  std::vector<std::string> names;
  for (int i = 0; i < r.rows(); ++i) names.emplace_back(r.text(i, 0));
  return names;
}

bool Catalog::exists(Connection& c, std::string_view queue) {
  {
    std::lock_guard lock(mutex_);
    if (known_.contains(queue)) return true;
  }
  validate_pgmq_queue_name(queue);
  return !c.exec("SELECT to_regclass($1)", Params().add(queue_table(queue))).is_null(0, 0);
}

}  // namespace errand::pq
