// Reliable fetch on Redis: jobs in flight live in the owner's in-progress list, and the
// lists of dead owners go back to their queues.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "redis_fixture.hpp"

#include <atomic>

namespace errand::reliable_fetch_test {

class ReliableFetchTest : public test::RedisTest {
 protected:
  ProcessorOptions options(QueueList queues = {"default"}) {
    ProcessorOptions o;
    o.concurrency = 2;
    o.queues = std::move(queues);
    o.logger = null_logger();
    o.heartbeat_interval = std::chrono::milliseconds(100);
    o.poll_interval_average = std::chrono::milliseconds(100);
    return o;
  }
};

TEST_F(ReliableFetchTest, ARunningJobIsInItsOwnersInProgressListUntilDone) {
  Processor processor(store, options());
  std::atomic<bool> release{false};
  std::atomic<bool> running{false};
  processor.register_handler("Slow", [&](const Job&, Context&) {
    running = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  processor.start();
  const auto jid = Client{store}.enqueue_raw("Slow", "default", {});
  ASSERT_TRUE(test::eventually([&] { return running.load(); }));
  const std::string in_progress = "errand:wip:" + processor.identity();
  const auto held = list(in_progress);
  ASSERT_EQ(held.size(), 1U);
  EXPECT_EQ(Job::parse(held[0]).jid(), *jid);
  EXPECT_TRUE(list("queue:default").empty());
  release = true;
  ASSERT_TRUE(test::eventually([&] { return list(in_progress).empty(); }));
  processor.stop();
  EXPECT_TRUE(members("errand:wip").empty()) << "a cleanly stopped owner leaves the registry";
}

TEST_F(ReliableFetchTest, FailuresAndRetriesLeaveNothingInProgress) {
  Processor processor(store, options());
  processor.register_handler("Fails", [](const Job&, Context&) { throw std::runtime_error("x"); });
  processor.register_handler("Dies", [](const Job&, Context&) { throw std::runtime_error("y"); });
  processor.start();
  Client client{store};
  (void)client.enqueue_raw("Fails", "default", {});
  (void)client.push(Job::parse(R"({"class":"Dies","args":[],"retry":0})"));
  raw->run({"LPUSH", "queue:default", "not json"});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 3; }));
  const std::string in_progress = "errand:wip:" + processor.identity();
  ASSERT_TRUE(test::eventually([&] { return list(in_progress).empty(); }));
  processor.stop();
  EXPECT_EQ(zset("retry").size(), 1U);
  EXPECT_EQ(zset("dead").size(), 2U);
}

TEST_F(ReliableFetchTest, JobsOfADeadProcessGoBackToTheirQueuesAndRun) {
  // A process that crashed: its list is registered, its liveness key has expired.
  const std::string dead = "crashed-host:123:abcdefabcdef";
  raw->run({"LPUSH", "errand:wip:" + dead, R"({"class":"Job","args":[1],"queue":"default","jid":"j1"})"});
  raw->run({"LPUSH", "errand:wip:" + dead, R"({"class":"Job","args":[2],"queue":"other","jid":"j2"})"});
  raw->run({"SADD", "errand:wip", dead});
  // A live one (its liveness key is there) is left alone.
  const std::string live = "live-host:456:abcdefabcdef";
  raw->run({"LPUSH", "errand:wip:" + live, R"({"class":"Job","args":[3],"jid":"j3"})"});
  raw->run({"SADD", "errand:wip", live});
  raw->run({"SET", "errand:alive:" + live, "1", "EX", "60"});

  Processor processor(store, options({"default", "other"}));
  std::atomic<int> runs{0};
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 2; }));
  processor.stop();
  EXPECT_EQ(list("errand:wip:" + live).size(), 1U);
  EXPECT_TRUE(list("errand:wip:" + dead).empty());
  EXPECT_EQ(members("errand:wip"), std::vector<std::string>{live});
}

TEST_F(ReliableFetchTest, AJobStrandedInALiveProcesssOwnListIsGivenBack) {
  Processor processor(store, options());
  std::atomic<int> runs{0};
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  processor.start();
  // As if an acknowledgement had been lost: listed as in progress, held by nobody.
  raw->run({"LPUSH", "errand:wip:" + processor.identity(), R"({"class":"Job","args":[],"jid":"stranded"})"});
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 1; }));
  processor.stop();
  EXPECT_TRUE(list("errand:wip:" + processor.identity()).empty());
}

TEST_F(ReliableFetchTest, AnIdleProcessWakesForAJobOnAnyOfItsQueues) {
  Processor processor(store, options({"a", "b", "c"}));
  std::atomic<int> runs{0};
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  processor.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // idle: blocked on all three queues
  Client client{store};
  for (const std::string queue : {"c", "b", "a"}) {
    const auto start = std::chrono::steady_clock::now();
    const int before = runs.load();
    (void)client.enqueue_raw("Job", queue, {});
    ASSERT_TRUE(test::eventually([&] { return runs.load() == before + 1; }));
    // Below the 2 s blocking timeout (which would be followed by a new fetch): the wait
    // on that queue itself woke up.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900)) << queue;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto stopping = std::chrono::steady_clock::now();
  processor.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::milliseconds(1900)) << "stop ends the waits";
  EXPECT_TRUE(list("errand:wip:" + processor.identity()).empty());
}

TEST_F(ReliableFetchTest, BasicFetchStillWorksWhenTurnedOff) {
  RedisOptions basic = test::redis_options();
  basic.reliable_fetch = false;
  auto basic_store = connect_redis(basic);
  EXPECT_FALSE(basic_store->capabilities().reliable_fetch);
  Processor processor(basic_store, options());
  std::atomic<int> runs{0};
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  processor.start();
  for (int i = 0; i < 50; ++i) (void)Client{basic_store}.enqueue_raw("Job", "default", {});
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 50; }));
  processor.stop();
  EXPECT_TRUE(members("errand:wip").empty());
}

}  // namespace errand::reliable_fetch_test
