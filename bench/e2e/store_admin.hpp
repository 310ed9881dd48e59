// The bench's side door into each store: open it, empty it between runs, and read the
// server's own counters (commands, round trips, bytes) around a measurement.
#pragma once

#include <errand/store.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace errand::bench {

enum class StoreKind { redis, postgres, sqlite };

/// The store a URL names. Throws errand::ConfigError for any other scheme.
[[nodiscard]] StoreKind store_kind(std::string_view url);
/// "redis", "postgres", "sqlite": the CSV's `store` column.
[[nodiscard]] std::string_view store_kind_name(StoreKind kind) noexcept;

/// The store at `url` (as errand::connect(url)), with `pool` connections when non-zero.
/// Throws errand::ConfigError when this binary does not link that store.
[[nodiscard]] std::shared_ptr<Store> open_store(std::string_view url, std::size_t pool);

/// Empties the store: FLUSHDB on Redis; DROP SCHEMA pgmq, errand on Postgres; deletes the
/// SQLite file with its -wal and -shm.
void reset_store(std::string_view url);

/// The server's counters at one moment. Each is nullopt where the store has no such count.
struct ServerCounters {
  /// Redis: `total_reads_processed` (one per request the server read; a pipeline is one
  /// when it arrives in one packet). Postgres: transactions (xact_commit + xact_rollback).
  std::optional<std::int64_t> round_trips;
  /// Redis: calls of all commands (INFO commandstats), those run inside Lua scripts included.
  std::optional<std::int64_t> commands;
  /// Redis: bytes read and written by the server (total_net_input/output_bytes).
  std::optional<std::int64_t> bytes;
};

/// Reads the counters, leaving out (as far as it can) the cost of reading them.
[[nodiscard]] ServerCounters read_server_counters(std::string_view url);

/// `after - before` per job, or nullopt.
[[nodiscard]] std::optional<double> per_job(std::optional<std::int64_t> before, std::optional<std::int64_t> after,
                                            std::int64_t jobs);

}  // namespace errand::bench
