#include "conformance.hpp"

#include <errand/logger.hpp>
#include <errand/memory.hpp>
#include <errand/postgres.hpp>
#include <errand/redis.hpp>
#include <errand/sqlite.hpp>

#include "test_env.hpp"

namespace errand::conformance {

std::string StoreConformance::insert(const std::string& queue, const std::string& jid) {
  const std::string payload = to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", queue}, {"jid", jid}});
  store->job_insert_many({{{jid, queue, payload, std::nullopt}}});
  return payload;
}

std::vector<FetchedJob> StoreConformance::fetch(std::vector<std::string> queues, std::size_t max,
                                                const std::string& owner) {
  JobFetchParams params;
  params.queues = std::move(queues);
  params.max = max;
  params.owner = owner;
  return store->job_fetch(params);
}

std::vector<std::string> StoreConformance::jids(const std::vector<FetchedJob>& jobs) {
  std::vector<std::string> out;
  for (const auto& job : jobs) out.emplace_back(Job::parse(job.payload).jid());
  return out;
}

std::vector<std::string> StoreConformance::held_by(const std::string& owner) {
  HeldJobs* held = store->held_jobs();
  return held == nullptr ? std::vector<std::string>{} : held->job_list_held({owner});
}

void StoreConformance::expect_same_payload(const std::string& actual, const std::string& expected) const {
  if (store->capabilities().verbatim_payloads) {
    EXPECT_EQ(actual, expected);
  } else {
    EXPECT_EQ(parse_json(actual), parse_json(expected)) << actual << " vs " << expected;
  }
}

/// Quick heartbeats, polls and shutdowns, and no log output.
ProcessorOptions quick_options(int concurrency) {
  ProcessorOptions o;
  o.concurrency = concurrency;
  o.logger = null_logger();
  o.shutdown_timeout = std::chrono::milliseconds(500);
  o.poll_interval_average = std::chrono::milliseconds(100);  // retries due soon move soon
  o.heartbeat_interval = std::chrono::milliseconds(500);
  return o;
}

std::vector<StoreFactory> store_factories() {
  return {
      {"memory", {.blocking_fetch = true}, {}, [](const test::TempDir&) { return make_memory_store(); }},
      {"postgres",
       {.blocking_fetch = true,
        .reliable_fetch = true,
        .leases = true,
        .schedules_itself = true,
        .verbatim_payloads = false,
        .any_queue_name = false},
       {.prefetch_limit = 1000},
       [](const test::TempDir&) {
         test::reset_postgres();
         PostgresOptions options = PostgresOptions::from_url(test::postgres_url());
         options.visibility_timeout = std::chrono::seconds(2);  // short leases, for the lease tests
         options.poll_interval = std::chrono::milliseconds(50);
         return connect_postgres(options);
       }},
      {"redis",
       {.blocking_fetch = true, .reliable_fetch = true},
       {.prefetch_limit = 250},
       [](const test::TempDir&) {
         test::flush_redis();
         return connect_redis(test::redis_options());
       }},
      {"sqlite",
       {.blocking_fetch = true, .reliable_fetch = true},
       {.prefetch_limit = 1000},
       [](const test::TempDir& dir) {
         SqliteOptions options;
         options.path = dir.file("jobs.db");
         return connect_sqlite(options);
       }},
  };
}

void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

}  // namespace errand::conformance
