// Fault tests: real worker processes killed with SIGKILL, stopped with SIGTERM while
// busy, and a Redis restarted under them. Each checks exact job accounting: every job
// ran at least once, none was lost, and repeats come only from the faults.
#include <errand/client.hpp>

#include "listening_process.hpp"
#include "redis_fixture.hpp"
#include "subprocess.hpp"
#include "temp_dir.hpp"

#include <csignal>
#include <iostream>
#include <random>
#include <set>
#include <sys/wait.h>

namespace errand::fault_test {

constexpr int concurrency = 8;
// A killed process runs again the jobs it was running and the finished ones whose
// acknowledgement was on its way (ProcessorOptions::unacknowledged_limit: 16 in
// fault_worker); the ones waiting for a thread never ran.
constexpr int repeats_per_kill = concurrency + 16;

class FaultTest : public test::RedisTest {
 protected:
  /// Starts a worker process and waits until it has registered (its first heartbeat):
  /// a signal sent before its handlers are in would kill it with the default action.
  std::unique_ptr<test::Subprocess> start_worker(const std::string& url, int shutdown_ms = 5000) {
    const std::string log = logs_.file("worker-" + std::to_string(workers_started_++) + ".log");
    auto worker = std::make_unique<test::Subprocess>(
        std::vector<std::string>{FAULT_WORKER, url, std::to_string(concurrency), std::to_string(shutdown_ms)},
        std::vector<std::string>{}, log);
    RedisOptions options = RedisOptions::from_url(url);
    const std::string pid = ":" + std::to_string(worker->pid()) + ":";
    const bool registered = test::eventually(
        [&] {
          try {
            redis::Connection c(options);
            const redis::Reply processes = c.run({"SMEMBERS", "processes"});
            for (const auto& id : processes.elements()) {
              if (id.text().find(pid) != std::string::npos) return true;
            }
          } catch (const Error&) {  // Redis restarting
          }
          return false;
        },
        std::chrono::seconds(15));
    EXPECT_TRUE(registered) << "worker " << worker->pid() << " did not start; its output:\n" << test::read_file(log);
    return worker;
  }

  /// Enqueues `count` jobs that each sleep 0..max_sleep_ms, `batch` per push; returns
  /// their jids.
  static std::set<std::string> enqueue(Client& client, int count, int max_sleep_ms, int batch = 1000) {
    std::mt19937 rng(7);
    std::vector<Job> jobs;
    for (int i = 0; i < count; ++i) {
      const int sleep_ms = max_sleep_ms == 0 ? 0 : static_cast<int>(rng() % (max_sleep_ms + 1));
      jobs.push_back(Job(json::object{{"class", "FaultJob"}, {"args", json::array{sleep_ms}}}));
    }
    std::set<std::string> jids;
    const auto step = static_cast<std::size_t>(batch);
    for (std::size_t at = 0; at < jobs.size(); at += step) {
      std::vector<Job> pushed(jobs.begin() + static_cast<long>(at),
                              jobs.begin() + static_cast<long>(std::min(at + step, jobs.size())));
      for (auto& jid : client.push_bulk(std::move(pushed))) jids.insert(std::move(jid));
    }
    return jids;
  }

  static std::int64_t count_done(redis::Connection& c) { return c.run({"SCARD", "fault:done"}).as_integer(); }

  /// The registered identity ("host:pid:nonce") of the worker with this pid, or "".
  std::string identity_of(pid_t pid) {
    const std::string needle = ":" + std::to_string(pid) + ":";
    for (const auto& id : members("processes")) {
      if (id.find(needle) != std::string::npos) return id;
    }
    return {};
  }

  void expect_all_ran_once_or_more(redis::Connection& c, const std::set<std::string>& jids) {
    const redis::Reply members = c.run({"SMEMBERS", "fault:done"});
    std::set<std::string> done;
    for (const auto& reply : members.elements()) done.insert(reply.text());
    EXPECT_EQ(done, jids);
  }

  test::TempDir logs_;  // the workers' output
  int workers_started_ = 0;
};

TEST_F(FaultTest, WorkersKilledWithSigkillLoseNoJob) {
  // Jobs arrive in waves of 3,000 (each in one push, so they are all waiting at once), and
  // each SIGKILL comes right after a wave: however fast this box runs them, and however
  // long a restarted worker takes to start, every kill finds jobs waiting and running.
  // (Kills at moments, or at points of progress, came after the last job on a busy or a
  // quick box; so did kills after a wave pushed 1,000 at a time, under TSan.)
  constexpr int first_wave = 2'000;
  constexpr int wave = 3'000;
  constexpr int kills = 6;
  constexpr int jobs = first_wave + kills * wave;
  Client client{store};
  std::set<std::string> jids = enqueue(client, first_wave, 2);
  const std::string url = test::redis_url();
  std::vector<std::unique_ptr<test::Subprocess>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(start_worker(url));

  std::mt19937 rng(42);
  int kills_mid_run = 0;       // jobs were still waiting when the kill was sent
  int kills_holding_jobs = 0;  // the dead worker's in-progress list held jobs
  const auto started = std::chrono::steady_clock::now();
  for (int k = 0; k < kills; ++k) {
    const auto enqueued = static_cast<std::int64_t>(jids.size());
    ASSERT_TRUE(test::eventually([&] { return count_done(*raw) >= enqueued / 2; }, std::chrono::seconds(60)))
        << count_done(*raw) << " of " << enqueued << " jobs done";  // the workers are at work
    for (auto& jid : enqueue(client, wave, 2, wave)) jids.insert(jid);  // in one push: all at once
    auto& victim = workers[rng() % workers.size()];
    const std::string identity = identity_of(victim->pid());
    if (count_done(*raw) < static_cast<std::int64_t>(jids.size())) ++kills_mid_run;
    victim->stop(SIGKILL, std::chrono::seconds(5));
    // Read at once: the list is given back only once the dead worker's 1 s liveness ends.
    if (!identity.empty() && !list("errand:wip:" + identity).empty()) ++kills_holding_jobs;
    victim = start_worker(url);
  }
  ASSERT_EQ(jids.size(), static_cast<std::size_t>(jobs));
  EXPECT_EQ(kills_mid_run, kills) << "each kill must come while jobs run";
  EXPECT_GE(kills_holding_jobs, 1) << "a killed worker must have held jobs when it died";
  const bool finished = test::eventually([&] { return count_done(*raw) == jobs; }, std::chrono::seconds(90));
  for (auto& worker : workers) EXPECT_EQ(worker->stop(SIGTERM, std::chrono::seconds(15)), 0);
  ASSERT_TRUE(finished) << count_done(*raw) << " of " << jobs << " jobs done";

  expect_all_ran_once_or_more(*raw, jids);
  const std::int64_t runs = std::stoll(raw->run({"GET", "fault:runs"}).text());
  const std::int64_t repeats = runs - jobs;
  EXPECT_LE(repeats, static_cast<std::int64_t>(kills) * repeats_per_kill);
  EXPECT_TRUE(list("queue:default").empty());
  EXPECT_TRUE(zset("retry").empty());
  EXPECT_TRUE(zset("dead").empty());
  for (const auto& key : strings(raw->run({"KEYS", "errand:wip:*"}))) EXPECT_TRUE(list(key).empty()) << key;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "fault: " << jobs << " jobs, " << kills << " SIGKILLs, " << repeats << " repeated runs, all done in "
            << seconds << " s\n";
}

TEST_F(FaultTest, SigtermWithSlowJobsPushesThemBackAndExitsCleanly) {
  Client client{store};
  std::set<std::string> jids;
  for (int i = 0; i < 20; ++i) jids.insert(*client.enqueue_raw("FaultJob", "default", json::array{1000}));
  auto worker = start_worker(test::redis_url(), 300);
  ASSERT_TRUE(test::eventually([&] { return list("queue:default").size() <= 20U - concurrency; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the first jobs are running
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(worker->stop(SIGTERM, std::chrono::seconds(10)), 0) << "a clean exit after TERM";
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3));
  // None had finished by the 300 ms deadline: all went back to the queue, the running ones
  // too. Those ignore their stop token and ran to the end before the process exited; a
  // job that never consults its token has done its work when it returns, so each took
  // its pushed-back copy out of the queue again (nobody else had fetched it).
  const std::int64_t finished_after_deadline = count_done(*raw);
  EXPECT_GT(finished_after_deadline, 0) << "jobs were running at the deadline";
  EXPECT_EQ(static_cast<std::int64_t>(list("queue:default").size()) + finished_after_deadline, 20);
  for (const auto& key : strings(raw->run({"KEYS", "errand:wip:*"}))) EXPECT_TRUE(list(key).empty()) << key;

  auto second = start_worker(test::redis_url());
  ASSERT_TRUE(test::eventually([&] { return count_done(*raw) == 20; }, std::chrono::seconds(30)));
  EXPECT_EQ(second->stop(SIGTERM, std::chrono::seconds(10)), 0);
  expect_all_ran_once_or_more(*raw, jids);
  EXPECT_EQ(std::stoll(raw->run({"GET", "fault:runs"}).text()), 20) << "no job ran twice";
}

TEST_F(FaultTest, ASecondSigtermForcesTheExitAndKeepsTheRunningJob) {
  Client client{store};
  const auto jid = client.enqueue_raw("FaultJob", "default", json::array{20'000});  // ignores its stop_token
  auto worker = start_worker(test::redis_url(), 25'000);
  ASSERT_TRUE(test::eventually([&] { return list("queue:default").empty(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(worker->pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto forced = std::chrono::steady_clock::now();
  const int status = worker->stop(SIGTERM, std::chrono::seconds(10));
  EXPECT_LT(std::chrono::steady_clock::now() - forced, std::chrono::seconds(3)) << "did not wait for the job";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const auto queued = list("queue:default");
  ASSERT_EQ(queued.size(), 1U) << "the running job is back in its queue";
  EXPECT_EQ(Job::parse(queued[0]).jid(), *jid);
  for (const auto& key : strings(raw->run({"KEYS", "errand:wip:*"}))) EXPECT_TRUE(list(key).empty()) << key;
  EXPECT_TRUE(members("processes").empty());
}

TEST_F(FaultTest, RedisRestartedMidRunLosesNoJob) {
  // A Redis of its own on a free port, with an fsync-always append-only file, restarted
  // mid-run on the same port.
  const test::TempDir dir;
  const auto server = [&](std::uint16_t port) {
    return std::vector<std::string>{"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                    "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                                    "--dir", dir.path()};
  };
  test::ListeningProcess redis(server, "Ready to accept connections", dir.file("first.log"));
  RedisOptions options = test::redis_options();
  options.port = redis.port;
  options.db = 0;
  const std::string url = "redis://127.0.0.1:" + std::to_string(redis.port) + "/0";
  const auto connect_when_up = [&] {
    std::unique_ptr<redis::Connection> c;
    test::eventually([&] {
      try {
        c = std::make_unique<redis::Connection>(options);
        c->run({"PING"});  // LOADING while it reads its append-only file
        return true;
      } catch (const Error&) {
        return false;
      }
    });
    return c;
  };

  auto own = connect_when_up();
  ASSERT_TRUE(own);
  constexpr int jobs = 3000;
  Client client{connect_redis(options)};
  const std::set<std::string> jids = enqueue(client, jobs, 1);
  std::vector<std::unique_ptr<test::Subprocess>> workers;
  for (int i = 0; i < 2; ++i) workers.push_back(start_worker(url));
  ASSERT_TRUE(test::eventually([&] { return count_done(*own) >= jobs / 5; }, std::chrono::seconds(30)));
  const std::int64_t queued_at_restart = own->run({"LLEN", "queue:default"}).as_integer();
  ASSERT_GT(queued_at_restart, 0) << "the restart must come while jobs wait in the queue";

  EXPECT_EQ(redis.process->stop(SIGTERM, std::chrono::seconds(10)), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  redis.process = std::make_unique<test::Subprocess>(server(redis.port), std::vector<std::string>{},
                                                     dir.file("second.log"));
  own = connect_when_up();
  ASSERT_TRUE(own);

  const bool finished = test::eventually(
      [&] {
        try {
          return count_done(*own) == jobs;
        } catch (const Error&) {  // the restart broke this connection
          own = connect_when_up();
          return false;
        }
      },
      std::chrono::seconds(90));
  for (auto& worker : workers) EXPECT_EQ(worker->stop(SIGTERM, std::chrono::seconds(15)), 0);
  ASSERT_TRUE(finished) << count_done(*own) << " of " << jobs << " jobs done";
  expect_all_ran_once_or_more(*own, jids);
  std::cout << "fault: redis restarted; " << jobs << " jobs, "
            << std::stoll(own->run({"GET", "fault:runs"}).text()) - jobs << " repeated runs\n";
  redis.process->stop(SIGTERM, std::chrono::seconds(10));
}

}  // namespace errand::fault_test
