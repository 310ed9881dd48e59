// The Redis fetch pool against the processors that share it: with reliable fetch an idle
// fetch waits on every queue at once, one connection each. A processor whose queues the
// pool cannot hold (besides other running processors') is refused at start, naming the
// setting; one at the limit works.
#include <errand/client.hpp>
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace errand::redis_fetch_pool_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class RedisFetchPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { test::flush_redis(); }

  static ProcessorOptions options(QueueList queues) {
    ProcessorOptions o;
    o.concurrency = 2;
    o.logger = null_logger();
    o.queues = std::move(queues);
    o.heartbeat_interval = std::chrono::milliseconds(100);
    o.shutdown_timeout = std::chrono::seconds(5);
    return o;
  }
  static std::string start_error(Processor& processor) {
    try {
      processor.start();
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "started";
  }

  /// Runs one job on each of `queues` with `processor`, then stops it.
  static void run_one_job_per_queue(const std::shared_ptr<Store>& store, Processor& processor,
                                    const std::vector<std::string>& queues) {
    std::atomic<int> ran{0};
    processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
    ASSERT_EQ(start_error(processor), "started");
    // After the processor's fetch is waiting on every queue: the jobs wake it.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (const auto& queue : queues) (void)Client{store}.enqueue_raw("Count", queue, {});
    EXPECT_TRUE(test::eventually([&] { return ran.load() == static_cast<int>(queues.size()); }))
        << ran.load() << " of " << queues.size() << " ran";
    processor.stop();
  }
};

TEST_F(RedisFetchPoolTest, AProcessorWithMoreQueuesThanFetchConnectionsIsRefusedAtStart) {
  const auto store = connect(test::redis_url() + "?fetch_pool_size=2");
  Processor processor(store, options({"a", "b", "c"}));
  EXPECT_THAT(start_error(processor),
              AllOf(HasSubstr("fetch pool is too small"), HasSubstr("each of the processor's 3 queues"),
                    HasSubstr("the fetch pool has 2 connections"), HasSubstr("raise fetch_pool_size"),
                    HasSubstr("service.sidekiq.redis.fetch-pool.max-connections"), HasSubstr("at least 3")));
}

TEST_F(RedisFetchPoolTest, AsManyFetchConnectionsAsQueuesIsEnough) {
  const auto store = connect(test::redis_url() + "?fetch_pool_size=3");
  Processor processor(store, options({"a", "b", "c"}));
  run_one_job_per_queue(store, processor, {"a", "b", "c"});
  EXPECT_EQ(processor.stats().processed, 3U);
}

TEST_F(RedisFetchPoolTest, ProcessorsOnOneStoreShareItsFetchPool) {
  const auto store = connect(test::redis_url() + "?fetch_pool_size=3");
  Processor first(store, options({"a", "b"}));
  first.register_handler("Count", [](const Job&, Context&) {});
  ASSERT_EQ(start_error(first), "started");
  Processor second(store, options({"c", "d"}));
  EXPECT_THAT(start_error(second), AllOf(HasSubstr("other processors on this store hold 2"), HasSubstr("at least 4")));
  first.stop();
  // The first one's connections are free again once it stopped.
  Processor third(store, options({"c", "d"}));
  run_one_job_per_queue(store, third, {"c", "d"});
}

TEST_F(RedisFetchPoolTest, WithoutReliableFetchOneConnectionServesEveryQueue) {
  RedisOptions o = test::redis_options();
  o.reliable_fetch = false;
  o.fetch_pool_size = 1;
  const auto store = connect_redis(o);
  Processor processor(store, options({"a", "b", "c"}));
  run_one_job_per_queue(store, processor, {"a", "b", "c"});
}

TEST_F(RedisFetchPoolTest, TheConfigurationsFetchPoolIsCheckedAgainstItsQueues) {
  const std::string toml =
      "[service.sidekiq]\nqueues = [\"a\", \"b\"]\n[service.sidekiq.redis]\nuri = \"" + test::redis_url() +
      "\"\nfetch-pool.max-connections = 1\n";
  const Config config = Config::from_toml_string(toml, "errand.toml", Environment::from_map({}));
  ProcessorOptions o = config.backends.at(0).processor;
  o.logger = null_logger();
  Processor processor(connect(config.backends.at(0)), o);
  EXPECT_THAT(start_error(processor),
              AllOf(HasSubstr("fetch pool has 1 connection;"), HasSubstr("fetch-pool.max-connections")));
}

}  // namespace
}  // namespace errand::redis_fetch_pool_test
