// Scheduled jobs and retries coming back, on the memory store.
#include <errand/client.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>

#include "core/poller.hpp"
#include "kit/forwarding_store.hpp"
#include "test_env.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

namespace errand::poller_test {

struct FlakyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PollerTest : public ::testing::Test {
 protected:
  std::shared_ptr<Store> store = make_memory_store();
  Client client{store};

  ProcessorOptions options() {
    ProcessorOptions o;
    o.concurrency = 2;
    o.logger = null_logger();
    o.poll_interval_average = std::chrono::milliseconds(50);
    o.heartbeat_interval = std::chrono::milliseconds(50);
    return o;
  }
};

TEST_F(PollerTest, ScheduledJobsRunWhenDue) {
  Processor processor(store, options());
  std::atomic<int> runs{0};
  processor.register_handler("Later", [&](const Job&, Context&) { ++runs; });
  processor.start();
  const auto start = std::chrono::steady_clock::now();
  Job job = Job::parse(R"({"class":"Later","args":[]})");
  job.set("at", epoch_seconds(Clock::now() + std::chrono::milliseconds(300)));
  (void)client.push(std::move(job));
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 1);
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300)) << "ran before its time";
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
}

TEST_F(PollerTest, AFailedJobIsRetriedAndCanSucceed) {
  ProcessorOptions o = options();
  o.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::milliseconds(100)); };
  Processor processor(store, o);
  std::atomic<int> runs{0};
  std::atomic<std::int64_t> attempt_seen{0};
  processor.register_handler("Flaky", [&](const Job&, Context& ctx) {
    attempt_seen = ctx.attempt();
    if (++runs == 1) throw FlakyError("first time fails");
  });
  processor.start();
  (void)client.enqueue_raw("Flaky", "default", {});
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 2; }));
  processor.stop();
  EXPECT_EQ(attempt_seen.load(), 2);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0);
  EXPECT_EQ(processor.stats().failed, 1U);
  EXPECT_EQ(processor.stats().processed, 2U);
}

TEST_F(PollerTest, RetryInHookCanKillOrDiscardByExceptionType) {
  Processor processor(store, options());
  const RetryInHook by_type = [](std::int64_t, const std::exception& e) {
    if (dynamic_cast<const FlakyError*>(&e) != nullptr) return RetryIn::discard();
    return RetryIn::kill();
  };
  processor.register_handler("Discarded", [](const Job&, Context&) { throw FlakyError("drop me"); }, {}, by_type);
  processor.register_handler("Killed", [](const Job&, Context&) { throw std::logic_error("kill me"); }, {}, by_type);
  processor.start();
  (void)client.enqueue_raw("Discarded", "default", {});
  (void)client.enqueue_raw("Killed", "default", {});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 2; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
  ASSERT_EQ(test::admin(*store).set_size({JobSet::dead}), 1);
  EXPECT_EQ(Job::parse(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload).class_name(), "Killed");
}

struct SelfTimed : Worker<SelfTimed> {
  static constexpr std::string_view class_name = "SelfTimed";
  static inline std::atomic<int> runs{0};
  static RetryIn retry_in(std::int64_t count, const std::exception& /*error*/) {
    return RetryIn::exactly(std::chrono::milliseconds(50 * (count + 1)));
  }
  void perform() {
    if (++runs < 3) throw std::runtime_error("not yet");
  }
};

TEST_F(PollerTest, AWorkersOwnRetryInWins) {
  Processor processor(store, options());
  processor.register_worker<SelfTimed>();
  processor.start();
  (void)client.enqueue<SelfTimed>();
  ASSERT_TRUE(test::eventually([&] { return SelfTimed::runs.load() == 3; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
}

TEST_F(PollerTest, HeartbeatsFlushTheStatsCounters) {
  Processor processor(store, options());
  processor.register_handler("Ok", [](const Job&, Context&) {});
  processor.register_handler("Bad", [](const Job&, Context&) { throw std::runtime_error("x"); },
                             {.retry = false});
  processor.start();
  for (int i = 0; i < 5; ++i) (void)client.enqueue_raw("Ok", "default", {});
  (void)client.enqueue_raw("Bad", "default", {});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 6; }));
  processor.stop();  // the final beat flushes the rest
  EXPECT_EQ(test::admin(*store).stats().processed, 6);
  EXPECT_EQ(test::admin(*store).stats().failed, 1);
}

}  // namespace errand::poller_test

namespace errand::poller_test {

struct Exhausting : Worker<Exhausting> {
  static constexpr std::string_view class_name = "Exhausting";
  static JobOptions options() { return {.retry = 0}; }
  static inline std::atomic<int> exhausted{0};
  static void retries_exhausted(const Job& job, const std::exception& error) {
    if (job.class_name() == "Exhausting" && std::string_view(error.what()) == "gave up") ++exhausted;
  }
  void perform() { throw std::runtime_error("gave up"); }
};

TEST_F(PollerTest, ErrorDeathAndRetriesExhaustedHandlersRunAsInSidekiq) {
  ProcessorOptions o = options();
  std::mutex mutex;
  std::vector<std::string> errors;
  std::vector<std::string> deaths;
  o.retry.error_handlers.push_back([&](const Job& job, const std::exception& e) {
    std::lock_guard lock(mutex);
    errors.push_back(std::string(job.class_name()) + ":" + e.what());
  });
  o.retry.error_handlers.push_back([](const Job&, const std::exception&) { throw std::runtime_error("broken handler"); });
  o.retry.death_handlers.push_back([&](const Job& job, const std::exception&) {
    std::lock_guard lock(mutex);
    deaths.push_back(std::string(job.class_name()));
  });
  o.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::hours(1)); };
  Processor processor(store, o);
  processor.register_worker<Exhausting>();
  processor.register_handler("Retried", [](const Job&, Context&) { throw std::logic_error("again later"); });
  processor.register_handler("NoRetry", [](const Job&, Context&) { throw 42; });
  processor.start();
  (void)client.enqueue<Exhausting>();
  (void)client.enqueue_raw("Retried", "default", {});
  (void)client.push(Job::parse(R"({"class":"NoRetry","args":[],"retry":false})"));
  ASSERT_TRUE(test::eventually([&] { return processor.stats().failed == 3; }));
  processor.stop();
  std::sort(errors.begin(), errors.end());
  std::sort(deaths.begin(), deaths.end());
  EXPECT_EQ(errors, (std::vector<std::string>{"Exhausting:gave up", "NoRetry:errand: the job threw something that is "
                                              "not a std::exception", "Retried:again later"}));
  EXPECT_EQ(deaths, (std::vector<std::string>{"Exhausting", "NoRetry"})) << "a job being retried has not died";
  EXPECT_EQ(Exhausting::exhausted.load(), 1);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 1);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 1);
}

/// A store that says it schedules itself, counts the poller's calls, and (when asked)
/// keeps a held-jobs list whose rescues it counts: the poller must call only what a
/// store declares.
class SelfSchedulingStore final : public detail::ForwardingStore, public HeldJobs {
 public:
  SelfSchedulingStore(std::shared_ptr<Store> inner, bool lists_held_jobs)
      : ForwardingStore(std::move(inner)), lists_held_jobs_(lists_held_jobs) {}

  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    StoreCapabilities c = inner().capabilities();
    c.schedules_itself = true;
    return c;
  }
  [[nodiscard]] HeldJobs* held_jobs() noexcept override { return lists_held_jobs_ ? this : nullptr; }

  std::size_t job_schedule_due(const JobScheduleDueParams& /*params*/) override {
    ++schedule_due_calls;
    return 0;
  }
  std::size_t job_give_back_orphaned(const JobGiveBackOrphanedParams& /*params*/) override {
    ++rescue_calls;
    return 0;
  }
  std::vector<std::string> job_list_held(const JobListHeldParams& /*params*/) override { return {}; }
  std::size_t job_give_back_stranded(const JobGiveBackStrandedParams& /*params*/) override { return 0; }

  std::atomic<int> schedule_due_calls{0};
  std::atomic<int> rescue_calls{0};

 private:
  bool lists_held_jobs_;
};

TEST_F(PollerTest, AStoreThatSchedulesItselfAndHoldsNoJobsNeedsNoPoller) {
  EXPECT_TRUE(detail::Poller::has_work(*store)) << "the memory store's due jobs need moving";
  SelfSchedulingStore leases_only(store, false);
  EXPECT_FALSE(detail::Poller::has_work(leases_only)) << "nothing to move, nothing to rescue (Postgres)";
  SelfSchedulingStore listing(store, true);
  EXPECT_TRUE(detail::Poller::has_work(listing)) << "held jobs still need rescuing";
}

TEST_F(PollerTest, ThePollerRescuesButNeverMovesDueJobsOnAStoreThatSchedulesItself) {
  auto wrapper = std::make_shared<SelfSchedulingStore>(store, true);
  Processor processor(wrapper, options());
  processor.start();
  // Several rounds of the poller (50 ms apart), then stop: wait for the state, not a time.
  ASSERT_TRUE(test::eventually([&] { return wrapper->rescue_calls.load() >= 3; }));
  processor.stop();
  EXPECT_EQ(wrapper->schedule_due_calls.load(), 0) << "a store that schedules itself is never asked to";
}

}  // namespace errand::poller_test
