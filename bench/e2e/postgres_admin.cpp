#include "store_admins.hpp"

#include "postgres/pq.hpp"

#include <errand/postgres.hpp>

#include <chrono>
#include <thread>

namespace errand::bench {
namespace {

std::shared_ptr<Store> open(std::string_view url, std::size_t pool) { return open_with(url, pool, &connect_postgres); }

void reset(std::string_view url) {
  pq::Connection connection{std::string(url)};
  connection.exec("SET client_min_messages = warning");
  connection.exec("DROP SCHEMA IF EXISTS pgmq, errand CASCADE");
}

ServerCounters counters(std::string_view url) {
  // Backends publish their statistics when they exit (idle ones may hold them back for
  // up to 10 s): give the connections the caller just closed time to do so.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pq::Connection connection{std::string(url)};
  const pq::Result r = connection.exec(
      "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
  ServerCounters result;
  if (r.rows() == 1) result.round_trips = r.integer(0, 0);
  return result;
}

}  // namespace

const StoreSideDoor& postgres_admin() {
  static constexpr StoreSideDoor admin{open, reset, counters};
  return admin;
}

}  // namespace errand::bench
