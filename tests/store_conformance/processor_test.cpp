// Conformance, end to end: a Processor on each store runs every job once, sends bad
// input to the retry or dead set with its error, retries with backoff until success,
// and gives unstarted jobs back on shutdown.
#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "kit/forwarding_store.hpp"
#include "recorder.hpp"
#include "test_env.hpp"

#include <atomic>
#include <set>
#include <thread>

namespace errand::conformance {

struct Typed : Worker<Typed> {
  static constexpr std::string_view class_name = "Typed";
  void perform(std::int64_t /*id*/, const std::string& /*email*/) {}
};

namespace {

TEST_P(StoreConformance, AProcessorRunsEveryJobExactlyOnce) {
  Client client{store};
  constexpr int count = 300;
  std::vector<Job> jobs;
  for (int i = 0; i < count; ++i) jobs.push_back(Job(json::object{{"class", "Count"}, {"args", json::array{i}}}));
  ASSERT_EQ(client.push_bulk(std::move(jobs)).size(), static_cast<std::size_t>(count));
  test::Recorder seen;
  Processor processor(store, quick_options(5));
  processor.register_handler("Count", [&](const Job& job, Context&) { seen.add(to_json(job.args())); });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() >= count; }, std::chrono::seconds(30)));
  processor.stop();
  const auto items = seen.get();
  EXPECT_EQ(std::set<std::string>(items.begin(), items.end()).size(), static_cast<std::size_t>(count));
  EXPECT_EQ(items.size(), static_cast<std::size_t>(count)) << "no job ran twice";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

TEST_P(StoreConformance, BadInputEndsInTheRetryOrDeadSetWithItsError) {
  Client client{store};
  (void)client.enqueue_raw("NoSuchWorker", "default", {1});
  (void)client.enqueue_raw("Typed", "default", {"not a number", 5});
  const std::string not_a_job = store->capabilities().verbatim_payloads ? "not json {" : "[1, 2]";
  store->job_insert_many({{{"", "default", not_a_job, std::nullopt}}});
  std::atomic<int> good{0};
  Processor processor(store, quick_options(2));
  processor.register_worker<Typed>();
  processor.register_handler("Good", [&](const Job&, Context&) { ++good; });
  processor.start();
  (void)client.enqueue_raw("Good", "default", {});
  ASSERT_TRUE(test::eventually([&] {
    return good.load() == 1 && test::admin(*store).set_size({JobSet::retry}) == 2 && test::admin(*store).set_size({JobSet::dead}) == 1;
  }));
  processor.stop();
  std::set<std::string> errors;
  for (const auto& entry : test::admin(*store).set_list({JobSet::retry, 10})) {
    const Job job = Job::parse(entry.payload);
    errors.insert(std::string(job.class_name()) + ": " + std::string(job.find("error_class")->as_string()));
    EXPECT_EQ(job.retry_count(), 0);
  }
  EXPECT_EQ(errors, (std::set<std::string>{"NoSuchWorker: errand::UnknownWorkerError", "Typed: errand::ArgumentError"}));
  expect_same_payload(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload, not_a_job);
}

TEST_P(StoreConformance, AFailingJobRetriesWithBackoffUntilItSucceeds) {
  Client client{store};
  (void)client.enqueue_raw("Flaky", "default", {});
  std::atomic<int> attempts{0};
  ProcessorOptions options = quick_options(1);
  options.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::seconds(1)); };
  Processor processor(store, options);
  processor.register_handler("Flaky", [&](const Job&, Context&) {
    if (++attempts < 3) throw std::runtime_error("not yet");
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return attempts.load() == 3; }, std::chrono::seconds(20)));
  processor.stop();
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

TEST_P(StoreConformance, ShutdownGivesBackEveryUnfinishedJob) {
  Client client{store};
  for (int i = 0; i < 6; ++i) (void)client.enqueue_raw("Slow", "default", {i});
  std::atomic<int> started{0};
  Processor processor(store, quick_options(2));
  processor.register_handler("Slow", [&](const Job&, Context& ctx) {
    ++started;
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    throw std::runtime_error("stopped");  // abandoned at shutdown: not recorded
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return started.load() == 2; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 6) << "the 2 running and the 4 waiting are back";
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
}

// A job that ignores its stop token and succeeds after the shutdown timeout pushed it
// back: its pushed-back copy is removed (atomically, if nobody fetched it since), so it
// does not run a second time.
TEST_P(StoreConformance, AJobThatSucceedsAfterShutdownGaveItBackDoesNotRunAgain) {
  Client client{store};
  (void)client.enqueue_raw("Stubborn", "default", {1});
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  auto logger = std::make_shared<test::CapturingLogger>(LogLevel::info);
  ProcessorOptions options = quick_options(1);
  options.shutdown_timeout = std::chrono::milliseconds(50);
  options.logger = logger;
  Processor processor(store, options);
  processor.register_handler("Stubborn", [&](const Job&, Context&) {
    ++runs;
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // ignores its stop token
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return runs.load() == 1; }));
  std::thread stopping([&] { processor.stop(); });  // waits for the stubborn job
  const bool pushed_back =
      test::eventually([&] { return logger->contains("back to their queues (still running at the shutdown timeout)"); });
  release = true;
  stopping.join();
  ASSERT_TRUE(pushed_back) << "shutdown gave the running job back";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0) << "the late success took its copy back";
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_TRUE(logger->contains("its pushed-back copy was removed"));
}

TEST_P(StoreConformance, AJobPastItsTimeoutEndsInTheRetrySetWithTheError) {
  Client client{store};
  (void)client.with({.timeout = std::chrono::milliseconds(100)}).enqueue_raw("Stuck", "default", {});
  Processor processor(store, quick_options(1));
  processor.register_handler("Stuck", [](const Job&, Context& ctx) {
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  processor.stop();
  const Job job = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_EQ(job.find("error_class")->as_string(), "errand::JobTimeoutError");
  EXPECT_EQ(job.retry_count(), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

/// Tells when the processor's fetcher has handed over the jobs of class `marker`: it
/// fetches, hands over, then fetches again, so a fetch that begins after the one that
/// returned them means they are in the hand-off (a job gone from the store may not be).
class HandOverWatcher final : public detail::ForwardingStore {
 public:
  HandOverWatcher(std::shared_ptr<Store> inner, std::string marker)
      : ForwardingStore(std::move(inner)), marker_(std::move(marker)) {}
  std::vector<FetchedJob> job_fetch(const JobFetchParams& p) override {
    if (seen_.load()) handed_over_ = true;
    std::vector<FetchedJob> jobs = ForwardingStore::job_fetch(p);
    for (const auto& job : jobs) {
      if (job.payload.find(marker_) != std::string::npos) seen_ = true;
    }
    return jobs;
  }
  [[nodiscard]] bool handed_over() const { return handed_over_.load(); }

 private:
  std::string marker_;
  std::atomic<bool> seen_{false};
  std::atomic<bool> handed_over_{false};
};

// With strict queues, a job of the more urgent queue fetched after a batch of less
// urgent ones runs before them (the ranked hand-off), not after.
TEST_P(ReliableFetchConformance, AnUrgentJobRunsBeforeTheJobsFetchedAheadOfIt) {
  Client client{store};
  test::Recorder ran;
  std::atomic<bool> released{false};
  ProcessorOptions options = quick_options(1);
  options.queues = QueueList{"critical", "default"};
  options.prefetch = 60;  // room for the 50 and the urgent one, whatever the pace
  auto watcher = std::make_shared<HandOverWatcher>(store, "\"Urgent\"");
  Processor processor(watcher, options);
  processor.register_handler("Quick", [&](const Job& job, Context&) { ran.add("quick " + to_json(job.args())); });
  processor.register_handler("Blocker", [&](const Job&, Context& ctx) {
    ran.add("blocker");
    while (!released.load() && !ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  processor.register_handler("Urgent", [&](const Job&, Context&) { ran.add("urgent"); });
  processor.start();
  (void)client.enqueue_raw("Blocker", "default", {});
  ASSERT_TRUE(test::eventually([&] { return ran.size() == 1; }));
  std::vector<Job> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(Job(json::object{{"class", "Quick"}, {"args", json::array{i}}}));
  (void)client.push_bulk(std::move(batch));
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).queue_size({"default"}) == 0; })) << "the 50 fetched ahead";
  (void)client.enqueue_raw("Urgent", "critical", {});
  ASSERT_TRUE(test::eventually([&] { return watcher->handed_over(); }, std::chrono::seconds(30)))
      << "the urgent one fetched and handed over";
  released = true;
  ASSERT_TRUE(test::eventually([&] { return ran.size() == 52; }));
  processor.stop();
  const auto order = ran.get();
  EXPECT_EQ(order.at(0), "blocker");
  EXPECT_EQ(order.at(1), "urgent") << "fetched after the 50, run before them";
}

// ProcessorOptions::prefetch bounds the jobs a process takes beyond the running ones:
// with one thread busy and a prefetch of 3, three of ten jobs leave the queue, no more.
TEST_P(ReliableFetchConformance, APrefetchBoundsTheJobsTakenAheadOfTheThreads) {
  for (const std::size_t prefetch : {std::size_t{3}, std::size_t{0}}) {
    SCOPED_TRACE(::testing::Message() << "prefetch " << prefetch);
    Client client{store};
    std::atomic<bool> started{false};
    std::atomic<bool> released{false};
    ProcessorOptions options = quick_options(1);
    options.prefetch = prefetch;
    Processor processor(store, options);
    processor.register_handler("Blocker", [&](const Job&, Context& ctx) {
      started = true;
      while (!released.load() && !ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    processor.register_handler("Quick", [](const Job&, Context&) {});
    processor.start();
    (void)client.enqueue_raw("Blocker", "default", {});
    ASSERT_TRUE(test::eventually([&] { return started.load(); }));
    for (int i = 0; i < 10; ++i) (void)client.enqueue_raw("Quick", "default", {i});
    const auto left = static_cast<std::int64_t>(10 - prefetch);
    ASSERT_TRUE(test::eventually([&] { return test::admin(*store).queue_size({"default"}) == left; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // several fetch rounds
    EXPECT_EQ(test::admin(*store).queue_size({"default"}), left) << "no more than the prefetch taken";
    released = true;
    ASSERT_TRUE(test::eventually([&] { return test::admin(*store).queue_size({"default"}) == 0 && processor.stats().processed == 11; }));
    processor.stop();
  }
}

/// The store, declaring a prefetch limit of its own.
class PrefetchLimited final : public detail::ForwardingStore {
 public:
  PrefetchLimited(std::shared_ptr<Store> inner, std::size_t limit) : ForwardingStore(std::move(inner)), limit_(limit) {}
  [[nodiscard]] StoreTuning tuning() const noexcept override {
    StoreTuning tuning = inner().tuning();
    tuning.prefetch_limit = limit_;
    return tuning;
  }

 private:
  std::size_t limit_;
};

// Without ProcessorOptions::prefetch, fast jobs are fetched ahead by pace (~2 ms of
// work: hundreds of no-op jobs) but never more than the store's prefetch_limit: with a
// limit of 3, three of ten jobs leave the queue while the one thread is busy.
TEST_P(ReliableFetchConformance, FastJobsAreFetchedAheadNoFurtherThanTheStoresLimit) {
  auto limited = std::make_shared<PrefetchLimited>(store, 3);
  Client client{limited};
  test::Recorder ran;
  std::atomic<bool> released{false};
  Processor processor(limited, quick_options(1));
  processor.register_handler("Quick", [&](const Job&, Context&) { ran.add("quick"); });
  processor.register_handler("Blocker", [&](const Job&, Context& ctx) {
    ran.add("blocker");
    while (!released.load() && !ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  processor.start();
  // Teach the pace: runs far shorter than the 0.67 ms that would fit 3 in 2 ms, even
  // sanitized; 100 of them, so that a slow first run has faded from the average.
  std::vector<Job> warmup;
  for (int i = 0; i < 100; ++i) warmup.push_back(Job(json::object{{"class", "Quick"}, {"args", json::array{i}}}));
  (void)client.push_bulk(std::move(warmup));
  ASSERT_TRUE(test::eventually([&] { return ran.size() == 100; }));
  (void)client.enqueue_raw("Blocker", "default", {});
  ASSERT_TRUE(test::eventually([&] { return ran.size() == 101; }));
  for (int i = 0; i < 10; ++i) (void)client.enqueue_raw("Quick", "default", {i});
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).queue_size({"default"}) == 7; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // several fetch rounds
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 7) << "no more than the store's limit taken";
  released = true;
  ASSERT_TRUE(test::eventually([&] { return ran.size() == 111; }));
  processor.stop();
}

// A beat lists the held jobs, then renews their leases: a job given back in between
// must not get a fresh lease (it would be invisible until the lease ran out). Beats
// every 10 milliseconds, while the threads take 20 ms to notice the stop, make a beat
// during every shutdown likely.
TEST_P(LeaseConformance, AShutdownWhileBeatingLeavesEveryJobVisible) {
  for (int round = 0; round < 3; ++round) {
    Client client{store};
    for (int i = 0; i < 4; ++i) (void)client.enqueue_raw("Slow", "default", {round, i});
    std::atomic<int> started{0};
    ProcessorOptions options = quick_options(2);
    options.heartbeat_interval = ProcessorOptions::min_heartbeat_interval;
    options.shutdown_timeout = std::chrono::milliseconds(100);
    Processor processor(store, options);
    processor.register_handler("Slow", [&](const Job&, Context& ctx) {
      ++started;
      while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    processor.start();
    ASSERT_TRUE(test::eventually([&] { return started.load() == 2; }));
    processor.stop();
    EXPECT_EQ(test::admin(*store).queue_size({"default"}), 4 * (round + 1)) << "round " << round;
  }
}

}  // namespace
}  // namespace errand::conformance
