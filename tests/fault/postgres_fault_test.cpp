// Fault tests on Postgres: worker processes killed with SIGKILL lose no job; their leased
// jobs come back when the lease runs out. Completions are recorded in Redis by the
// workers (fault_worker), so the count does not depend on the store under test.
#include <errand/client.hpp>
#include <errand/postgres.hpp>

#include "redis_fixture.hpp"
#include "subprocess.hpp"
#include "temp_dir.hpp"

#include <csignal>
#include <iostream>
#include <random>
#include <set>

namespace errand::postgres_fault_test {

constexpr int concurrency = 8;
// A killed process runs again the jobs it was running and the finished ones whose
// acknowledgement was on its way (ProcessorOptions::unacknowledged_limit: 16 in
// fault_worker); the ones waiting for a thread never ran.
constexpr int repeats_per_kill = concurrency + 16;
constexpr int lease_seconds = 2;

class PostgresFaultTest : public test::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    test::reset_postgres();
    postgres = connect_postgres(PostgresOptions::from_url(test::postgres_url()));
  }

  /// Starts a worker and waits for its first heartbeat in errand.processes.
  std::unique_ptr<test::Subprocess> start_worker() {
    const std::string log = logs_.file("worker-" + std::to_string(started_++) + ".log");
    auto worker = std::make_unique<test::Subprocess>(
        std::vector<std::string>{FAULT_WORKER, test::redis_url(), std::to_string(concurrency), "5000",
                                 test::postgres_url(), std::to_string(lease_seconds)},
        std::vector<std::string>{}, log);
    const std::string pid = "%:" + std::to_string(worker->pid()) + ":%";
    const bool registered = test::eventually(
        [&] {
          return test::postgres_query("SELECT count(*) FROM errand.processes WHERE identity LIKE '" + pid + "'") ==
                 std::vector<std::string>{"1"};
        },
        std::chrono::seconds(15));
    EXPECT_TRUE(registered) << "worker " << worker->pid() << " did not start; its output:\n" << test::read_file(log);
    return worker;
  }

  std::int64_t count_done() { return raw->run({"SCARD", "fault:done"}).as_integer(); }

  std::shared_ptr<Store> postgres;
  test::TempDir logs_;  // the workers' output
  int started_ = 0;
};

TEST_F(PostgresFaultTest, WorkersKilledWithSigkillLoseNoJob) {
  // Jobs arrive in waves, and each SIGKILL comes right after one, so that every kill finds
  // jobs waiting however fast this box runs them (see the Redis fault test).
  constexpr int first_wave = 2'000;
  constexpr int wave = 3'000;
  constexpr int kills = 6;
  constexpr int jobs = first_wave + kills * wave;
  Client client{postgres};
  std::set<std::string> jids;
  const auto enqueue_wave = [&](int count) {  // in one push: all waiting at once
    std::vector<Job> payloads;
    for (int i = 0; i < count; ++i) payloads.push_back(Job(json::object{{"class", "FaultJob"}, {"args", json::array{1}}}));
    for (auto& jid : client.push_bulk(std::move(payloads))) jids.insert(std::move(jid));
  };
  enqueue_wave(first_wave);
  std::vector<std::unique_ptr<test::Subprocess>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(start_worker());

  std::mt19937 rng(42);
  int kills_mid_run = 0;  // kills while jobs were still waiting: the ones that test something
  const auto started = std::chrono::steady_clock::now();
  for (int k = 0; k < kills; ++k) {
    const auto enqueued = static_cast<std::int64_t>(jids.size());
    ASSERT_TRUE(test::eventually([&] { return count_done() >= enqueued / 2; }, std::chrono::seconds(60)))
        << count_done() << " of " << enqueued << " jobs done";  // the workers are at work
    enqueue_wave(wave);
    auto& victim = workers[rng() % workers.size()];
    if (count_done() < static_cast<std::int64_t>(jids.size()) - 100) ++kills_mid_run;  // as the kill is sent
    victim->stop(SIGKILL, std::chrono::seconds(5));
    victim = start_worker();
  }
  ASSERT_EQ(jids.size(), static_cast<std::size_t>(jobs));
  // Every job ran, and every row is gone: a killed process's finished jobs whose
  // acknowledgement it never wrote come back when their lease runs out, and run again.
  const bool finished = test::eventually(
      [&] {
        return count_done() == jobs &&
               test::postgres_query("SELECT count(*) FROM pgmq.q_default") == std::vector<std::string>{"0"};
      },
      std::chrono::seconds(120));
  for (auto& worker : workers) EXPECT_EQ(worker->stop(SIGTERM, std::chrono::seconds(15)), 0);
  ASSERT_TRUE(finished) << count_done() << " of " << jobs << " jobs done";
  EXPECT_EQ(kills_mid_run, kills) << "each kill must come while jobs wait";

  const auto done = strings(raw->run({"SMEMBERS", "fault:done"}));
  EXPECT_EQ(std::set<std::string>(done.begin(), done.end()), jids);
  const std::int64_t repeats = std::stoll(raw->run({"GET", "fault:runs"}).text()) - jobs;
  EXPECT_LE(repeats, static_cast<std::int64_t>(kills) * repeats_per_kill);
  EXPECT_EQ(test::postgres_query("SELECT count(*) FROM pgmq.q_default"), std::vector<std::string>{"0"});
  EXPECT_EQ(test::admin(*postgres).set_size({JobSet::dead}), 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "postgres fault: " << jobs << " jobs, " << kills << " SIGKILLs, " << repeats
            << " repeated runs, all done in " << seconds << " s\n";
}

}  // namespace errand::postgres_fault_test
