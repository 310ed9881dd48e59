// errand's tables in a SQLite file. Created when missing; each statement is idempotent.
#pragma once

#include <errand/store.hpp>

namespace errand::sqlite {

/// Job states, in the `state` column.
enum State : int { ready = 0, running = 1, scheduled = 2, retrying = 3, dead = 4 };

/// The state of a job set's jobs.
inline State state_of(JobSet set) {
  switch (set) {
    case JobSet::scheduled: return scheduled;
    case JobSet::retry: return retrying;
    case JobSet::dead: return dead;
  }
  return scheduled;
}

inline constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS errand_jobs (
  id       INTEGER PRIMARY KEY,
  queue    TEXT    NOT NULL,
  state    INTEGER NOT NULL,  -- see State
  position INTEGER NOT NULL,  -- ready jobs run smallest first
  run_at   REAL,              -- scheduled, retrying: when due; dead: when it died (epoch s)
  owner    TEXT,              -- running: the process holding it
  payload  TEXT    NOT NULL   -- the job's JSON, exactly as enqueued
);
CREATE INDEX IF NOT EXISTS errand_jobs_ready ON errand_jobs (queue, position) WHERE state = 0;
CREATE INDEX IF NOT EXISTS errand_jobs_waiting ON errand_jobs (state, run_at) WHERE state >= 2;
CREATE INDEX IF NOT EXISTS errand_jobs_running ON errand_jobs (owner) WHERE state = 1;
CREATE TABLE IF NOT EXISTS errand_queues (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS errand_processes (
  identity    TEXT PRIMARY KEY,
  info        TEXT NOT NULL,
  beat        REAL NOT NULL,
  alive_until REAL NOT NULL,
  quiet       INTEGER NOT NULL,
  busy        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS errand_signals (id INTEGER PRIMARY KEY, identity TEXT NOT NULL, signal TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS errand_stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
)sql";

}  // namespace errand::sqlite
