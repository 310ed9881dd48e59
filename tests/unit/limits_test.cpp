// Every ProcessorOptions and QueueList setting at its edges: the maximum works, one past
// it is refused naming the setting and its limit; a zero either works as documented or
// is refused naming the minimum.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>
#include <errand/queues.hpp>

#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

namespace errand::limits_test {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;

/// The ConfigError `make` throws, or "accepted".
template <class Make>
std::string refusal(Make make) {
  try {
    make();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

class ProcessorLimits : public ::testing::Test {
 protected:
  std::shared_ptr<Store> store = make_memory_store();

  static ProcessorOptions options() {
    ProcessorOptions o;
    o.concurrency = 1;
    o.logger = null_logger();
    o.heartbeat_interval = 50ms;
    o.shutdown_timeout = 5s;
    return o;
  }
  std::string refused(const ProcessorOptions& o) {
    return refusal([&] { Processor p(store, o); });
  }
};

TEST_F(ProcessorLimits, ConcurrencyRunsFromOneToTenThousandThreads) {
  ProcessorOptions o = options();
  for (const int bad : {0, -1, ProcessorOptions::max_concurrency + 1}) {
    o.concurrency = bad;
    EXPECT_THAT(refused(o), AllOf(HasSubstr("ProcessorOptions::concurrency is " + std::to_string(bad)),
                                  HasSubstr("from 1 to 10000"), HasSubstr("num-workers")));
  }
  EXPECT_EQ(ProcessorOptions::max_concurrency, 10'000);
  // The maximum: 10,000 threads start, run jobs and stop (500 under TSan, which cannot
  // map more; see most_threads_per_process).
  o.concurrency = std::min(ProcessorOptions::max_concurrency, test::most_threads_per_process);
  std::atomic<int> ran{0};
  Processor processor(store, o);
  processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
  processor.start();
  for (int i = 0; i < 20; ++i) (void)Client{store}.enqueue_raw("Count", "default", {});
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 20; }, 60s)) << ran.load() << " of 20 ran";
  processor.stop();
  EXPECT_EQ(processor.stats().processed, 20U);
}

TEST_F(ProcessorLimits, AZeroShutdownTimeoutPushesRunningJobsBackAtOnce) {
  ProcessorOptions o = options();
  o.shutdown_timeout = -1ms;
  EXPECT_THAT(refused(o), AllOf(HasSubstr("ProcessorOptions::shutdown_timeout is -1 ms"),
                                HasSubstr("at least 0 ms")));
  o.shutdown_timeout = 0ms;
  std::atomic<bool> started{false};
  Processor processor(store, o);
  processor.register_handler("Slow", [&](const Job&, Context& ctx) {
    started = true;
    while (!ctx.stop_requested()) std::this_thread::sleep_for(1ms);
  });
  processor.start();
  (void)Client{store}.enqueue_raw("Slow", "default", {});
  ASSERT_TRUE(test::eventually([&] { return started.load(); }));
  const auto before = std::chrono::steady_clock::now();
  processor.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s) << "no wait for the running job";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << "the running job was pushed back";
}

TEST_F(ProcessorLimits, AZeroJobTimeoutMeansNoLimitAndANegativeOneIsRefused) {
  ProcessorOptions o = options();
  o.job_timeout = -1ms;
  EXPECT_THAT(refused(o), AllOf(HasSubstr("ProcessorOptions::job_timeout is -1 ms"), HasSubstr("at least 0 ms")));
  o.job_timeout = 0ms;
  std::atomic<bool> done{false};
  Processor processor(store, o);
  processor.register_handler("Sleepy", [&](const Job&, Context& ctx) {
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(ctx.stop_requested()) << "a 0 timeout fired";
    done = true;
  });
  processor.start();
  (void)Client{store}.enqueue_raw("Sleepy", "default", {});
  EXPECT_TRUE(test::eventually([&] { return done.load(); }));
  processor.stop();
  EXPECT_EQ(processor.stats().failed, 0U);
  // A job's own timeout: 0 is no limit too, a negative one is refused at enqueue.
  EXPECT_NO_THROW((void)Client{store}.with({.timeout = 0ms}).enqueue_raw("Sleepy", "default", {}));
  try {
    (void)Client{store}.with({.timeout = -5ms}).enqueue_raw("Sleepy", "default", {});
    ADD_FAILURE() << "a negative timeout was enqueued";
  } catch (const ArgumentError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Sleepy: JobOptions::timeout is -5 ms; it must be at least 0 ms (0: no limit)"));
  }
}

TEST_F(ProcessorLimits, ZeroRetriesSendAFailedJobStraightToTheDeadSet) {
  ProcessorOptions o = options();
  o.retry.max_retries = -1;
  EXPECT_THAT(refused(o), AllOf(HasSubstr("ProcessorOptions::retry.max_retries is -1"), HasSubstr("at least 0")));
  o.retry.max_retries = 0;
  Processor processor(store, o);
  processor.register_handler("Boom", [](const Job&, Context&) { throw std::runtime_error("boom"); });
  processor.start();
  (void)Client{store}.enqueue_raw("Boom", "default", {});
  EXPECT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::dead}) == 1; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
}

TEST_F(ProcessorLimits, DeadSetLimits) {
  ProcessorOptions o = options();
  for (const auto age : {0s, -1s, ProcessorOptions::max_dead_age + 1s}) {
    o.retry.dead.max_age = age;
    EXPECT_THAT(refused(o), AllOf(HasSubstr("ProcessorOptions::retry.dead.max_age is " + std::to_string(age.count())),
                                  HasSubstr("at least 1 s"), HasSubstr("dead-timeout-in-seconds")));
  }
  o.retry.dead.max_age = ProcessorOptions::max_dead_age;
  EXPECT_EQ(refused(o), "accepted");
  o.retry.dead.max_age = 1s;
  o.retry.max_retries = 0;
  o.retry.dead.max_jobs = 0;  // keeps no dead job
  Processor processor(store, o);
  std::atomic<int> failed{0};
  processor.register_handler("Boom", [&](const Job&, Context&) {
    ++failed;
    throw std::runtime_error("boom");
  });
  processor.start();
  for (int i = 0; i < 3; ++i) (void)Client{store}.enqueue_raw("Boom", "default", {});
  EXPECT_TRUE(test::eventually([&] { return processor.stats().failed == 3; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0);
}

TEST_F(ProcessorLimits, IntervalsAtTheirMinimumWork) {
  ProcessorOptions o = options();
  o.heartbeat_interval = ProcessorOptions::min_heartbeat_interval;
  o.poll_interval_average = ProcessorOptions::min_poll_interval;
  o.average_scheduled_poll_interval = ProcessorOptions::min_poll_interval;
  std::atomic<int> ran{0};
  Processor processor(store, o);
  processor.register_handler("Later", [&](const Job&, Context&) { ++ran; });
  processor.start();
  Job later = Job::parse(R"({"class":"Later","args":[]})");
  later.set("at", epoch_seconds(Clock::now() + 20ms));
  (void)Client{store}.push(std::move(later));
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 1; })) << "the scheduled job was moved and ran";
  processor.stop();
  o.heartbeat_interval = ProcessorOptions::min_heartbeat_interval - 1ms;
  EXPECT_THAT(refused(o), HasSubstr("heartbeat_interval is 9 ms; it must be at least 10 ms"));
}

TEST_F(ProcessorLimits, NoAcknowledgementsInFlightAndNoPrefetchWork) {
  ProcessorOptions o = options();
  o.concurrency = 2;
  o.unacknowledged_limit = 0;  // each thread writes its own acknowledgement
  o.prefetch = 0;              // fetch only for free threads
  std::atomic<int> ran{0};
  Processor processor(store, o);
  processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
  processor.start();
  for (int i = 0; i < 10; ++i) (void)Client{store}.enqueue_raw("Count", "default", {});
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 10; }));
  processor.stop();
  EXPECT_EQ(processor.stats().processed, 10U);
}

TEST(QueueLimits, WeightsRunFromOneToAMillion) {
  EXPECT_EQ(QueueList::max_weight, 1'000'000);
  for (const int bad : {0, -3, QueueList::max_weight + 1}) {
    EXPECT_THAT(refusal([&] { (void)QueueList::weighted({{"a", bad}}); }),
                AllOf(HasSubstr("queue \"a\" has weight " + std::to_string(bad)), HasSubstr("from 1 to 1000000")));
  }
  // At the maximum, the heavy queue comes first all but about once in a million fetches.
  const auto queues = QueueList::weighted({{"heavy", QueueList::max_weight}, {"light", 1}});
  std::mt19937_64 rng(7);
  int light_first = 0;
  for (int i = 0; i < 100'000; ++i) light_first += queues.fetch_order(rng).front() == "light" ? 1 : 0;
  EXPECT_LE(light_first, 3);
  // Many queues at the maximum weight: a fetch order still costs only the queues.
  std::vector<std::pair<std::string, int>> many;
  for (int i = 0; i < 200; ++i) many.emplace_back("q" + std::to_string(i), QueueList::max_weight);
  const auto heavy = QueueList::weighted(many);
  std::map<std::string, int> first;
  for (int i = 0; i < 20'000; ++i) ++first[heavy.fetch_order(rng).front()];
  EXPECT_EQ(first.size(), 200U) << "equal weights: every queue comes first sometimes";
}

// Sidekiq's order: the first queue drawn ∝ its weight, then the next from the rest ∝
// theirs. With 6, 3, 1: after "critical", "default" comes second 3 times in 4.
TEST(QueueLimits, TheOrderAfterTheFirstQueueFollowsTheRemainingWeights) {
  const auto queues = QueueList::weighted({{"critical", 6}, {"default", 3}, {"low", 1}});
  std::mt19937_64 rng(11);
  int critical_first = 0;
  int then_default = 0;
  int low_default_critical = 0;
  constexpr int rounds = 60'000;
  for (int i = 0; i < rounds; ++i) {
    const auto order = queues.fetch_order(rng);
    if (order[0] == "critical") {
      ++critical_first;
      if (order[1] == "default") ++then_default;
    }
    if (order == std::vector<std::string>{"low", "default", "critical"}) ++low_default_critical;
  }
  EXPECT_NEAR(then_default / double(critical_first), 0.75, 0.02);
  EXPECT_NEAR(low_default_critical / double(rounds), 1.0 / 30, 0.006);  // 1/10 × 3/9
}

TEST(QueueLimits, NamesRunFromOneTo256Bytes) {
  EXPECT_EQ(QueueList::max_name_bytes, 256U);
  EXPECT_NO_THROW((void)QueueList::strict({std::string(256, 'q')}));
  EXPECT_NO_THROW(validate_queue_name(std::string(256, 'q')));
  EXPECT_THAT(refusal([] { (void)QueueList::strict({std::string(257, 'q')}); }),
              AllOf(HasSubstr("is 257 bytes long; the limit is 256 bytes")));
  EXPECT_THAT(refusal([] { (void)QueueList::strict({""}); }), HasSubstr("must not be empty"));
  // A job for a queue named at the limit is enqueued and run.
  auto store = make_memory_store();
  const std::string longest(256, 'q');
  ProcessorOptions o;
  o.concurrency = 1;
  o.logger = null_logger();
  o.queues = {longest};
  std::atomic<bool> ran{false};
  Processor processor(store, o);
  processor.register_handler("Long", [&](const Job& job, Context&) { ran = job.queue() == longest; });
  processor.start();
  (void)Client{store}.enqueue_raw("Long", longest, {});
  EXPECT_TRUE(test::eventually([&] { return ran.load(); }));
  processor.stop();
  EXPECT_THROW((void)Client{store}.enqueue_raw("Long", longest + "q", {}), ConfigError);
}

}  // namespace
}  // namespace errand::limits_test
