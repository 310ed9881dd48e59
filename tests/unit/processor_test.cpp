// The processor end to end on the memory store: the same core that runs on Redis.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>

#include "recorder.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <mutex>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace errand::processor_test {

struct Echo : Worker<Echo> {
  static constexpr std::string_view class_name = "Echo";
  test::Recorder* recorder;
  void perform(const std::string& text, Context& ctx) { recorder->add(std::string(ctx.queue()) + ":" + text); }
};

struct Failing : Worker<Failing> {
  static constexpr std::string_view class_name = "Failing";
  static JobOptions options() { return {.retry = 1}; }
  void perform(int /*n*/) { throw std::runtime_error("boom: héllo"); }
};

class ProcessorTest : public ::testing::Test {
 protected:
  std::shared_ptr<Store> store = make_memory_store();
  Client client{store};
  test::Recorder recorder;

  ProcessorOptions options(int concurrency = 2, QueueList queues = {"default"}) {
    ProcessorOptions o;
    o.concurrency = concurrency;
    o.queues = std::move(queues);
    o.logger = null_logger();
    o.shutdown_timeout = std::chrono::seconds(5);
    return o;
  }
  void add_echo(Processor& p) {
    p.register_worker<Echo>([this] {
      Echo e;
      e.recorder = &recorder;
      return e;
    });
  }
};

TEST_F(ProcessorTest, RunsEnqueuedJobsWithTheirArgs) {
  Processor processor(store, options());
  add_echo(processor);
  processor.start();
  for (int i = 0; i < 100; ++i) (void)client.enqueue<Echo>("job" + std::to_string(i));
  ASSERT_TRUE(test::eventually([&] { return recorder.size() == 100; }));
  processor.stop();
  EXPECT_EQ(processor.stats().processed, 100U);
  EXPECT_EQ(processor.stats().failed, 0U);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

TEST_F(ProcessorTest, StrictOrderDrainsTheFirstQueueFirst) {
  for (int i = 0; i < 20; ++i) (void)client.with({.queue = "low"}).enqueue<Echo>("l");
  for (int i = 0; i < 20; ++i) (void)client.with({.queue = "high"}).enqueue<Echo>("h");
  Processor processor(store, options(1, {"high", "low"}));
  add_echo(processor);
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return recorder.size() == 40; }));
  processor.stop();
  const auto seen = recorder.get();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], "high:h") << i;
  for (int i = 20; i < 40; ++i) EXPECT_EQ(seen[i], "low:l") << i;
}

TEST_F(ProcessorTest, FailureRecordsSidekiqErrorFieldsInTheRetrySet) {
  Processor processor(store, options());
  processor.register_worker<Failing>();
  processor.start();
  const auto jid = client.enqueue<Failing>(1);
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  processor.stop();
  const auto entries = test::admin(*store).set_list({JobSet::retry, 1});
  const Job job = Job::parse(entries.at(0).payload);
  EXPECT_EQ(job.jid(), *jid);
  EXPECT_EQ(job.fields().at("error_class"), json::value("std::runtime_error"));
  EXPECT_EQ(job.fields().at("error_message"), json::value("boom: héllo"));
  EXPECT_EQ(job.fields().at("retry_count"), json::value(0));
  EXPECT_TRUE(job.fields().at("failed_at").is_double());
  EXPECT_EQ(job.find("retried_at"), nullptr);
  EXPECT_GE(entries[0].at, Clock::now() + std::chrono::seconds(14));
  EXPECT_EQ(processor.stats().failed, 1U);
  EXPECT_EQ(processor.stats().processed, 1U);
}

TEST_F(ProcessorTest, RetriesGoToTheQueueTheJobCameFromOrItsRetryQueue) {
  Processor processor(store, options(1, {"actual"}));
  processor.register_worker<Failing>();
  processor.start();
  // The payload claims another queue; Sidekiq retries into the queue it was fetched from.
  (void)client.with({.queue = "actual"}).push(Job::parse(R"({"class":"Failing","args":[1],"queue":"actual"})"));
  store->job_insert_many({{{"j2", "actual", R"({"class":"Failing","args":[2],"queue":"elsewhere","jid":"j2"})", {}}}});
  (void)client.push(Job::parse(R"({"class":"Failing","args":[3],"queue":"actual","retry_queue":"slow"})"));
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 3; }));
  processor.stop();
  std::multiset<std::string> queues;
  for (const auto& entry : test::admin(*store).set_list({JobSet::retry, 10})) queues.insert(std::string(Job::parse(entry.payload).queue()));
  EXPECT_EQ(queues, (std::multiset<std::string>{"actual", "actual", "slow"}));
}

TEST_F(ProcessorTest, ExhaustedRetriesGoToTheDeadSet) {
  Processor processor(store, options());
  processor.register_worker<Failing>();
  processor.start();
  // retry: 1 and already retried once: this failure exhausts it.
  (void)client.push(Job::parse(R"({"class":"Failing","args":[1],"retry":1,"retry_count":0})"));
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::dead}) == 1; }));
  processor.stop();
  const Job job = Job::parse(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload);
  EXPECT_EQ(job.fields().at("retry_count"), json::value(1));
  EXPECT_TRUE(job.fields().at("retried_at").is_double());
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
}

TEST_F(ProcessorTest, ServerMiddlewareCanSkipWrapOrFailJobs) {
  Processor processor(store, options(1));
  add_echo(processor);
  std::atomic<int> wrapped{0};
  processor.use([&](Job&, Context&, const ServerNext& next) {
    ++wrapped;
    next();
  });
  processor.use([](Job& job, Context&, const ServerNext& next) {
    const auto text = job.args().at(0).as_string();
    if (text == "skip") return;
    if (text == "fail") throw std::logic_error("refused by middleware");
    next();
  });
  processor.start();
  (void)client.enqueue<Echo>("skip");
  (void)client.enqueue<Echo>("fail");
  (void)client.enqueue<Echo>("run");
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 3; }));
  processor.stop();
  EXPECT_EQ(recorder.get(), std::vector<std::string>{"default:run"});
  EXPECT_EQ(wrapped.load(), 3);
  ASSERT_EQ(test::admin(*store).set_size({JobSet::retry}), 1);
  const Job failed = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_EQ(failed.fields().at("error_class"), json::value("std::logic_error"));
}

TEST_F(ProcessorTest, StopPushesRunningJobsBackAfterTheTimeout) {
  ProcessorOptions o = options(1);
  o.shutdown_timeout = std::chrono::milliseconds(200);
  Processor processor(store, o);
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  processor.register_handler("Slow", [&](const Job&, Context& ctx) {
    started = true;
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    saw_stop = true;
  });
  processor.start();
  (void)client.enqueue_raw("Slow", "default", {});
  ASSERT_TRUE(test::eventually([&] { return started.load(); }));
  processor.stop();
  EXPECT_TRUE(saw_stop.load());
  ASSERT_EQ(test::admin(*store).queue_size({"default"}), 1);  // back at the front of its queue
  EXPECT_EQ(Job::parse(memory_queue_contents(*store, "default").at(0)).class_name(), "Slow");
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);  // not treated as a failure
}

TEST_F(ProcessorTest, QuietStopsFetchingButFinishesRunningJobs) {
  Processor processor(store, options(1));
  add_echo(processor);
  std::atomic<bool> running{false};
  std::atomic<bool> released{false};
  processor.register_handler("Blocker", [&](const Job&, Context&) {
    running = true;
    while (!released.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  processor.start();
  (void)client.enqueue_raw("Blocker", "default", {});
  ASSERT_TRUE(test::eventually([&] { return running.load(); }));
  processor.quiet();  // while the blocker runs
  (void)client.enqueue<Echo>("after");
  released = true;
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 1 && processor.stats().busy == 0; }))
      << "the running job finished after quiet";
  processor.stop();
  EXPECT_EQ(recorder.size(), 0U) << "nothing new ran after quiet";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << "only the job enqueued after quiet waits: the running one was done, "
                                                "not pushed back";
  EXPECT_EQ(processor.stats().failed, 0U);
}

TEST_F(ProcessorTest, RegistrationErrorsAreClear) {
  Processor processor(store, options());
  add_echo(processor);
  EXPECT_THROW(add_echo(processor), ConfigError);  // same class name twice
  EXPECT_THROW(Processor(store, {.concurrency = 0}), ConfigError);
  processor.start();
  EXPECT_THROW(processor.register_worker<Failing>(), ConfigError);  // after start
  processor.stop();
}

TEST_F(ProcessorTest, IntervalsBelowTheirMinimumAreRefusedByName) {
  using std::chrono::milliseconds;
  const auto message = [&](ProcessorOptions o) -> std::string {
    try {
      Processor p(store, std::move(o));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_THAT(message({.heartbeat_interval = milliseconds(0)}),
              ::testing::HasSubstr("ProcessorOptions::heartbeat_interval is 0 ms; it must be at least 10 ms"));
  EXPECT_THAT(message({.poll_interval_average = milliseconds(9)}),
              ::testing::HasSubstr("ProcessorOptions::poll_interval_average is 9 ms"));
  EXPECT_THAT(message({.average_scheduled_poll_interval = milliseconds(-5)}),
              ::testing::HasSubstr("average_scheduled_poll_interval is -5 ms"));
  EXPECT_EQ(message({.poll_interval_average = ProcessorOptions::min_poll_interval,
                     .heartbeat_interval = ProcessorOptions::min_heartbeat_interval}),
            "accepted");
}

}  // namespace errand::processor_test

namespace errand::processor_test {

TEST_F(ProcessorTest, RunUntilSignalQuietsOnTstpAndStopsOnTerm) {
  Processor processor(store, options(1));
  add_echo(processor);
  std::thread runner([&] { processor.run_until_signal(); });
  (void)client.enqueue<Echo>("before quiet");
  ASSERT_TRUE(test::eventually([&] { return recorder.size() == 1; }));

  // Signals go to whichever thread the kernel picks; errand's handlers catch them anyway.
  ASSERT_EQ(kill(getpid(), SIGTSTP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // a quiet processor fetches nothing new
  (void)client.enqueue<Echo>("after quiet");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(recorder.size(), 1U);

  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  runner.join();  // returns once stopped
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1);
}

TEST_F(ProcessorTest, AJobThatStopsItsOwnProcessorEndsRunUntilSignal) {
  Processor processor(store, options(2));
  std::atomic<int> runs{0};
  processor.register_handler("Stopper", [&](const Job&, Context&) {
    ++runs;
    processor.stop();  // from inside a job: must not wait for itself
  });
  std::thread runner([&] { processor.run_until_signal(); });
  (void)client.enqueue_raw("Stopper", "default", {});
  runner.join();  // returns because the job stopped the processor
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0) << "the stopping job itself finished and was acknowledged";
  EXPECT_EQ(processor.stats().failed, 0U);
}

TEST_F(ProcessorTest, AJobMayStopOrQuietItsOwnProcessor) {
  Processor processor(store, options(2));
  std::atomic<int> runs{0};
  processor.register_handler("Stopper", [&](const Job& job, Context&) {
    ++runs;
    if (job.args().at(0).as_string() == "quiet") processor.quiet();
    else processor.stop();  // must not wait for itself
  });
  std::thread runner([&] { processor.run_until_signal(); });
  (void)client.enqueue_raw("Stopper", "default", json::array{"quiet"});
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 1; }));
  processor.stop();  // from outside, while a job may be calling quiet(): no deadlock
  runner.join();
  EXPECT_EQ(runs.load(), 1);
}

struct Stubborn : Worker<Stubborn> {
  static constexpr std::string_view class_name = "Stubborn";
  static JobOptions options() { return {.retry = 3, .timeout = std::chrono::milliseconds(100)}; }
  void perform(Context& ctx) {
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
};

TEST_F(ProcessorTest, AJobPastItsTimeoutIsStoppedAndRetriedWithJobTimeoutError) {
  Processor processor(store, options());
  processor.register_worker<Stubborn>();
  processor.start();
  const auto started = std::chrono::steady_clock::now();
  (void)client.enqueue<Stubborn>();
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3)) << "stopped at 100 ms, not later";
  processor.stop();
  const Job job = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_EQ(job.find("error_class")->as_string(), "errand::JobTimeoutError");
  EXPECT_NE(std::string(job.find("error_message")->as_string()).find("ran longer than its timeout of 0.1 s"),
            std::string::npos)
      << job.find("error_message")->as_string();
  EXPECT_EQ(job.find("timeout")->to_number<double>(), 0.1) << "the worker's option travels in the payload";
}

TEST_F(ProcessorTest, TimeoutsComeFromThePayloadThenTheWorkerThenTheProcessor) {
  ProcessorOptions o = options();
  o.job_timeout = std::chrono::milliseconds(50);
  Processor processor(store, o);
  std::atomic<int> finished{0};
  processor.register_handler("Sleeps", [&](const Job& job, Context& ctx) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(job.args().at(0).as_int64());
    while (!ctx.stop_requested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ++finished;
  });
  processor.start();
  (void)client.enqueue_raw("Sleeps", "default", {300});                            // processor's 50 ms: fails
  (void)client.with({.timeout = std::chrono::seconds(0)}).enqueue_raw("Sleeps", "default", {301});  // no limit
  (void)client.with({.timeout = std::chrono::seconds(5)}).enqueue_raw("Sleeps", "default", {302});  // 5 s: fine
  ASSERT_TRUE(test::eventually([&] { return finished.load() == 3; }));
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 1);
  const Job job = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_EQ(job.args().at(0).as_int64(), 300);
  EXPECT_EQ(job.find("error_class")->as_string(), "errand::JobTimeoutError");
}

TEST_F(ProcessorTest, AJobThatThrowsAfterItsTimeoutFailsWithTheTimeoutAndItsOwnError) {
  Processor processor(store, options());
  processor.register_handler(
      "Throws",
      [](const Job&, Context& ctx) {
        while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        throw std::runtime_error("cancelled");
      },
      {.timeout = std::chrono::milliseconds(50)});
  processor.start();
  (void)client.enqueue_raw("Throws", "default", {});
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  processor.stop();
  const Job job = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_EQ(job.find("error_class")->as_string(), "errand::JobTimeoutError");
  EXPECT_NE(std::string(job.find("error_message")->as_string()).find("std::runtime_error: cancelled"),
            std::string::npos)
      << job.find("error_message")->as_string();
}

}  // namespace errand::processor_test
