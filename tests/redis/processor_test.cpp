// The processor on a real Redis.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "recorder.hpp"
#include "redis_fixture.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace errand::redis_processor_test {

class RedisProcessorTest : public test::RedisTest {
 protected:
  test::Recorder seen;
  ProcessorOptions options(int concurrency, QueueList queues = {"default"}) {
    ProcessorOptions o;
    o.concurrency = concurrency;
    o.queues = std::move(queues);
    o.logger = null_logger();
    o.shutdown_timeout = std::chrono::seconds(5);
    return o;
  }
  void record_jobs(Processor& p, const std::string& class_name) {
    p.register_handler(class_name, [this](const Job& job, Context& ctx) {
      seen.add(std::string(ctx.queue()) + ":" + to_json(job.args()));
    });
  }
};

TEST_F(RedisProcessorTest, ProcessesEveryJobExactlyOnce) {
  Client client{store};
  constexpr int count = 2000;
  for (int i = 0; i < count; ++i) (void)client.enqueue_raw("Counter", "default", json::array{i});
  Processor processor(store, options(10));
  record_jobs(processor, "Counter");
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == count; }, std::chrono::seconds(60)));
  processor.stop();
  const auto items = seen.get();
  const std::set<std::string> distinct(items.begin(), items.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(count));
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_EQ(processor.stats().processed, static_cast<std::uint64_t>(count));
}

TEST_F(RedisProcessorTest, StrictOrderOnRedis) {
  Client client{store};
  for (int i = 0; i < 30; ++i) (void)client.enqueue_raw("Job", "low", json::array{i});
  for (int i = 0; i < 30; ++i) (void)client.enqueue_raw("Job", "high", json::array{i});
  Processor processor(store, options(1, {"high", "low"}));
  record_jobs(processor, "Job");
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 60; }));
  processor.stop();
  const auto items = seen.get();
  for (int i = 0; i < 30; ++i) EXPECT_EQ(items[i], "high:[" + std::to_string(i) + "]") << "FIFO within a queue";
  for (int i = 30; i < 60; ++i) EXPECT_EQ(items[i].substr(0, 4), "low:");
}

TEST_F(RedisProcessorTest, WeightedOrderTakesFromEveryQueue) {
  Client client{store};
  for (int i = 0; i < 300; ++i) (void)client.enqueue_raw("Job", "heavy", json::array{i});
  for (int i = 0; i < 300; ++i) (void)client.enqueue_raw("Job", "light", json::array{i});
  Processor processor(store, options(1, QueueList::weighted({{"heavy", 3}, {"light", 1}})));
  // Each fetch puts the queues in a weighted random order and takes its batch in that
  // order; a batch is ~2 ms of work (see hold_limit). 5 ms jobs keep batches at 1-2
  // jobs, so that the first 200 runs span ~100 fetches.
  processor.register_handler("Job", [this](const Job& job, Context& ctx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    seen.add(std::string(ctx.queue()) + ":" + to_json(job.args()));
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 600; }, std::chrono::seconds(30)));
  processor.stop();
  // While both queues had jobs, heavy was picked first about 3 times in 4: among the
  // first 200 runs, both queues appear and heavy dominates.
  const auto items = seen.get();
  int heavy = 0;
  for (int i = 0; i < 200; ++i) heavy += items[i].starts_with("heavy:") ? 1 : 0;
  EXPECT_GT(heavy, 100);
  EXPECT_LT(heavy, 200);
}

TEST_F(RedisProcessorTest, StopPushesUnfinishedJobsBackToTheFront) {
  Client client{store};
  ProcessorOptions o = options(1);
  o.shutdown_timeout = std::chrono::milliseconds(300);
  Processor processor(store, o);
  std::atomic<bool> started{false};
  processor.register_handler("Slow", [&](const Job&, Context& ctx) {
    started = true;
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  const auto slow_jid = client.enqueue_raw("Slow", "default", {});
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return started.load(); }));
  (void)client.enqueue_raw("Later", "default", {});
  processor.stop();
  const auto jobs = list("queue:default");
  ASSERT_EQ(jobs.size(), 2U);
  EXPECT_EQ(Job::parse(jobs.back()).jid(), *slow_jid) << "the interrupted job is next in line";
}

TEST_F(RedisProcessorTest, ReconnectsAfterTheServerDropsItsConnections) {
  Client client{store};
  Processor processor(store, options(2));
  record_jobs(processor, "Job");
  processor.start();
  (void)client.enqueue_raw("Job", "default", json::array{1});
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 1; }));
  // Drop every connection to this test's database (other tests use other databases).
  const std::string db = " db=" + std::to_string(test::redis_options().db) + " ";
  const std::string own = "id=" + std::to_string(raw->client_id().value()) + " ";
  const std::string clients = raw->run({"CLIENT", "LIST"}).text();
  std::size_t start = 0;
  int killed = 0;
  while (start < clients.size()) {
    const std::size_t end = clients.find('\n', start);
    const std::string line = clients.substr(start, end - start);
    start = end == std::string::npos ? clients.size() : end + 1;
    if (line.find(db) == std::string::npos || line.starts_with(own)) continue;
    const std::string id = line.substr(3, line.find(' ') - 3);
    raw->run({"CLIENT", "KILL", "ID", id});
    ++killed;
  }
  ASSERT_GE(killed, 2) << "expected the processor's and the client's connections";
  (void)client.enqueue_raw("Job", "default", json::array{2});  // the client reconnects once
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 2; }, std::chrono::seconds(15)));
  processor.stop();
}

TEST_F(RedisProcessorTest, HugeArgumentsSurvive) {
  Client client{store};
  const std::string big(10 * 1024 * 1024, 'x');
  (void)client.enqueue_raw("Big", "default", json::array{big});
  Processor processor(store, options(1));
  std::atomic<std::size_t> length{0};
  processor.register_handler("Big", [&](const Job& job, Context&) { length = job.args().at(0).as_string().size(); });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return length.load() != 0; }, std::chrono::seconds(30)));
  processor.stop();
  EXPECT_EQ(length.load(), big.size());
}

TEST_F(RedisProcessorTest, WorksInANamespace) {
  RedisOptions namespaced = test::redis_options();
  namespaced.key_namespace = "ns";
  auto ns_store = connect_redis(namespaced);
  Client client{ns_store};
  (void)client.enqueue_raw("Job", "default", json::array{"in ns"});
  Processor processor(ns_store, options(1));
  record_jobs(processor, "Job");
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 1; }));
  processor.stop();
  EXPECT_EQ(seen.get().at(0), R"(default:["in ns"])");
}

}  // namespace errand::redis_processor_test
