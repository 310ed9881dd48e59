// pgmq's queue names at their limit: 47 characters work end to end (the longest index
// name, archived_at_idx_<name>, is then Postgres's 63 bytes), 48 are refused at enqueue,
// naming the limit, before anything is created. And PostgresOptions at their edges.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "postgres_fixture.hpp"

#include <gmock/gmock.h>

#include <atomic>

namespace errand::postgres_limits_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class PostgresLimitsTest : public test::PostgresTest {};

const std::string longest = "q" + std::string(45, 'x') + "9";  // 47 characters

TEST_F(PostgresLimitsTest, AQueueNamedWith47CharactersWorksEndToEnd) {
  ASSERT_EQ(longest.size(), 47U);
  std::atomic<int> ran{0};
  ProcessorOptions options;
  options.concurrency = 2;
  options.logger = null_logger();
  options.queues = {longest};
  options.heartbeat_interval = std::chrono::milliseconds(200);
  Processor processor(store, options);
  processor.register_handler("Long", [&](const Job& job, Context& ctx) {
    if (ctx.queue() == longest && job.args().size() == 1) ++ran;
  });
  processor.start();  // waits on the queue: LISTEN on pgmq.q_<name>.INSERT, 61 bytes
  Client client{store};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.enqueue_raw("Long", longest, {i}).has_value());
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 3; })) << ran.load() << " of 3 ran";
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({longest}), 0) << "fetched and completed";
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.q_" + longest), (std::vector<std::string>{"0"}));
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.meta WHERE queue_name = '" + longest + "'"),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(query("SELECT count(*) FROM pg_indexes WHERE schemaname = 'pgmq' AND indexname = 'archived_at_idx_" +
                  longest + "'"),
            (std::vector<std::string>{"1"}))
      << "the index name is whole, not cut to 63 bytes";
}

TEST_F(PostgresLimitsTest, AQueueNamedWith48CharactersIsRefusedAtEnqueueNamingTheLimit) {
  const std::string too_long = longest + "z";
  try {
    (void)Client{store}.enqueue_raw("Long", too_long, {});
    FAIL() << "a 48-character queue was accepted";
  } catch (const ArgumentError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(too_long), HasSubstr("(it is 48 characters long)"),
                                HasSubstr("pgmq queue names are 1-47 characters")));
  }
  EXPECT_THROW(store->check_queue_name(too_long), ArgumentError);
  EXPECT_TRUE(test::admin(*store).queue_names().empty()) << "nothing was created";
  ProcessorOptions options;
  options.logger = null_logger();
  options.queues = {too_long};
  Processor processor(store, options);
  EXPECT_THROW(processor.start(), ArgumentError) << "a processor refuses to work it";
}

TEST_F(PostgresLimitsTest, OptionsOutsideTheirLimitsAreRefusedNamingThem) {
  const auto refusal = [](const PostgresOptions& o) -> std::string {
    try {
      (void)connect_postgres(o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  PostgresOptions o = options();
  o.pool_size = 0;
  EXPECT_THAT(refusal(o), HasSubstr("PostgresOptions::pool_size is 0; it must be from 1 to 10000"));
  o = options();
  o.visibility_timeout = std::chrono::seconds(0);
  EXPECT_THAT(refusal(o), HasSubstr("PostgresOptions::visibility_timeout is 0 s; it must be at least 1 s"));
  o = options();
  o.poll_interval = std::chrono::milliseconds(0);
  EXPECT_THAT(refusal(o), HasSubstr("PostgresOptions::poll_interval is 0 ms; it must be at least 10 ms"));
  o = options();
  o.pool_size = 1;
  o.visibility_timeout = std::chrono::seconds(1);
  o.poll_interval = std::chrono::milliseconds(10);
  EXPECT_EQ(refusal(o), "accepted") << "each at its minimum";
}

// The smallest pool: every thread (fetcher, job threads acknowledging and retrying,
// heartbeat, poller) takes turns on one connection, and none waits for a second one
// while it holds the first.
TEST_F(PostgresLimitsTest, APoolOfOneConnectionRunsAProcessor) {
  PostgresOptions o = options();
  o.pool_size = 1;
  o.poll_interval = std::chrono::milliseconds(50);
  const auto small = connect_postgres(o);
  std::atomic<int> ran{0};
  std::atomic<int> failed{0};
  ProcessorOptions options;
  options.concurrency = 4;
  options.logger = null_logger();
  options.heartbeat_interval = std::chrono::milliseconds(100);
  options.poll_interval_average = std::chrono::milliseconds(100);
  options.unacknowledged_limit = 0;
  options.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::milliseconds(10)); };
  Processor processor(small, options);
  processor.register_handler("Once", [&](const Job& job, Context&) {
    if (!job.retry_count() && job.args().at(0).as_int64() % 2 == 0) {
      ++failed;
      throw std::runtime_error("first run fails");
    }
    ++ran;
  });
  processor.start();
  for (int i = 0; i < 10; ++i) (void)Client{small}.enqueue_raw("Once", "default", {i});
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 10; }, std::chrono::seconds(30)))
      << ran.load() << " of 10 ran, " << failed.load() << " failed once";
  processor.stop();
  EXPECT_EQ(test::admin(*small).queue_size({"default"}), 0);
  EXPECT_EQ(test::admin(*small).set_size({JobSet::retry}), 0);
}

}  // namespace
}  // namespace errand::postgres_limits_test
