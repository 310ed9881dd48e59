// Deterministic fault injection on Postgres: the LISTEN connection killed under a running
// processor is replaced, and a NOTIFY still wakes its fetch.
#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/postgres.hpp>
#include <errand/processor.hpp>

#include "fault_injecting_store.hpp"
#include "test_env.hpp"

#include <algorithm>
#include <atomic>

namespace errand::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Call = StoreCall;

constexpr seconds deadline{20};

// --- 10. LISTEN reconnect on Postgres -----------------------------------------------

/// The pid of the backend that LISTENs for the store's wake-ups (only the processor's
/// store fetches, so only its listener has run LISTEN).
std::string listener_pid() {
  const auto rows = postgres_query(
      "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' "
      "AND pid <> pg_backend_pid()");
  return rows.size() == 1 ? rows[0] : std::string();
}

TEST(PostgresListener, AKilledListenConnectionIsReplacedAndNotifyStillWakesAFetch) {
  reset_postgres();
  PostgresOptions settings = PostgresOptions::from_url(postgres_url());
  settings.poll_interval = seconds(30);  // only a NOTIFY can end a fetch's wait early
  auto store = connect_postgres(settings);
  auto producer = connect_postgres(PostgresOptions::from_url(postgres_url()));  // its own listener: no local wake
  auto faults = std::make_shared<FaultInjectingStore>(store);
  ProcessorOptions options = conformance::quick_options(1);
  std::atomic<int> runs{0};
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  processor.start();
  std::string old_pid;
  ASSERT_TRUE(eventually([&] { return !(old_pid = listener_pid()).empty(); }, deadline));
  EXPECT_EQ(postgres_query("SELECT pg_terminate_backend(" + old_pid + ")::text"), std::vector<std::string>{"true"});
  std::string new_pid;
  ASSERT_TRUE(eventually([&] { return !(new_pid = listener_pid()).empty() && new_pid != old_pid; }, deadline));
  // Enqueue while a fetch that began after the new LISTEN (and its catch-up wake-up) is
  // well into its wait: it can return the job before its own 2 s end only if woken.
  const std::uint64_t settled = faults->calls(Call::job_fetch) + 2;
  std::chrono::steady_clock::time_point began;
  ASSERT_TRUE(eventually([&] {
    const auto times = faults->call_times(Call::job_fetch);
    if (times.size() < settled) return false;
    began = times.back();
    return std::chrono::steady_clock::now() - began > milliseconds(300);
  }, deadline));
  const auto enqueued = std::chrono::steady_clock::now();
  const std::string jid = Client{producer}.enqueue_raw("Job", "default", {1}).value();
  ASSERT_TRUE(eventually([&] { return runs == 1; }, seconds(10))) << "picked up within 10 s";
  processor.stop();
  bool woken = false;
  for (const auto& record : faults->fetch_records()) {
    if (std::find(record.jids.begin(), record.jids.end(), jid) == record.jids.end()) continue;
    EXPECT_LT(record.began, enqueued) << "fetched by a fetch that was waiting when the job came";
    EXPECT_LT(record.ended - record.began, seconds(2)) << "the fetch was woken before its 2 s wait ended";
    woken = record.began < enqueued && record.ended - record.began < seconds(2);
  }
  EXPECT_TRUE(woken);
  (void)began;
}

}  // namespace
}  // namespace errand::test
