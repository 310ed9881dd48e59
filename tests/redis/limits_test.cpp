// RedisOptions at their edges: pools of one connection run a processor, the maxima are
// accepted, and a setting out of its range is refused naming it, its URL parameter and
// its configuration key.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>
#include <errand/redis.hpp>

#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

namespace errand::redis_limits_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class RedisLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { test::flush_redis(); }
};

TEST_F(RedisLimitsTest, PoolsOfOneConnectionRunAProcessor) {
  RedisOptions o = test::redis_options();
  o.pool_size = 1;
  o.fetch_pool_size = 1;
  const auto store = connect_redis(o);
  ProcessorOptions p;
  p.concurrency = 4;
  p.logger = null_logger();
  p.queues = {"only"};
  p.heartbeat_interval = std::chrono::milliseconds(100);
  p.unacknowledged_limit = 0;  // every job thread takes its turn on the one connection
  Processor processor(store, p);
  std::atomic<int> ran{0};
  processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
  processor.start();
  for (int i = 0; i < 20; ++i) (void)Client{store}.enqueue_raw("Count", "only", {i});
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 20; })) << ran.load() << " of 20 ran";
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({"only"}), 0);
  EXPECT_TRUE(test::held_jobs(*store).job_list_held({processor.identity()}).empty());
}

TEST_F(RedisLimitsTest, StoreOptionsOutsideTheirLimitsAreRefusedNamingThem) {
  const auto refusal = [](const RedisOptions& o) -> std::string {
    try {
      (void)connect_redis(o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  RedisOptions o = test::redis_options();
  o.pool_size = 0;
  EXPECT_THAT(refusal(o), AllOf(HasSubstr("RedisOptions::pool_size is 0; it must be from 1 to 10000"),
                                HasSubstr("enqueue-pool.max-connections")));
  o = test::redis_options();
  o.fetch_pool_size = 10'001;
  EXPECT_THAT(refusal(o), AllOf(HasSubstr("RedisOptions::fetch_pool_size is 10001"), HasSubstr("fetch_pool_size=")));
  o = test::redis_options();
  o.command_timeout = std::chrono::milliseconds(0);
  EXPECT_THAT(refusal(o), HasSubstr("RedisOptions::command_timeout is 0 ms; it must be at least 1 ms"));
  o = test::redis_options();
  o.connect_timeout = std::chrono::milliseconds(-1);
  EXPECT_THAT(refusal(o), HasSubstr("RedisOptions::connect_timeout is -1 ms"));
  o = test::redis_options();
  o.db = -1;
  EXPECT_THAT(refusal(o), HasSubstr("RedisOptions::db is -1"));
  o = test::redis_options();
  o.pool_size = 10'000;
  o.fetch_pool_size = 10'000;
  EXPECT_EQ(refusal(o), "accepted") << "the maxima (connections are opened as needed)";
}

}  // namespace
}  // namespace errand::redis_limits_test
