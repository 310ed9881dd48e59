// The Postgres store's process registry.
#include "postgres/postgres_store.hpp"

#include "kit/store_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace errand::pq {
namespace {

void add_stat(Connection& c, const std::string& name, std::uint64_t amount) {
  if (amount == 0) return;
  c.exec("INSERT INTO errand.stats (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = "
         "errand.stats.value + excluded.value",
         Params().add(name).add(static_cast<std::int64_t>(amount)));
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

ProcessBeatResult PostgresStore::process_beat(const ProcessBeatParams& p) {
  auto c = pool_.acquire();
  if (!p.held.empty()) renew_leases(*c, p.held);
  c->exec("BEGIN");
  c->exec("INSERT INTO errand.processes (identity, info, beat, alive_until, quiet, busy) VALUES "
          "($1, $2, clock_timestamp(), clock_timestamp() + make_interval(secs => $3::float8 / 1000), $4, $5) "
          "ON CONFLICT (identity) DO UPDATE SET info = excluded.info, beat = excluded.beat, "
          "alive_until = excluded.alive_until, quiet = excluded.quiet, busy = excluded.busy",
          Params()
              .add(p.identity)
              .add(p.info_json)
              .add(millis(p.liveness_ttl))
              .add(p.quiet ? "true" : "false")
              .add(static_cast<std::int64_t>(p.busy.size())));
  const std::string date = detail::utc_date(Clock::now());
  add_stat(*c, "processed", p.processed);
  add_stat(*c, "processed:" + date, p.processed);
  add_stat(*c, "failed", p.failed);
  add_stat(*c, "failed:" + date, p.failed);
  const Result signals = c->exec("DELETE FROM errand.signals WHERE identity = $1 RETURNING signal", Params().add(p.identity));
  c->exec("COMMIT");
  ProcessBeatResult result;
  for (int i = 0; i < signals.rows(); ++i) result.signals.emplace_back(signals.text(i, 0));
  return result;
}

void PostgresStore::process_stop(const ProcessStopParams& params) {
  auto c = pool_.acquire();
  c->exec("DELETE FROM errand.processes WHERE identity = $1", Params().add(params.identity));
}

std::int64_t PostgresStore::process_count() {
  auto c = pool_.acquire();
  const Result r = c->exec("SELECT count(*) FROM errand.processes WHERE alive_until >= clock_timestamp()");
  return std::max<std::int64_t>(1, r.integer(0, 0));
}

}  // namespace errand::pq
