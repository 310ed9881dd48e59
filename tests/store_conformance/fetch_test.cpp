// Conformance: inserting, fetching, completing and pushing back jobs.
#include "conformance.hpp"

#include <errand/error.hpp>

#include <thread>

namespace errand::conformance {
namespace {

using Jids = std::vector<std::string>;

TEST_P(StoreConformance, FetchIsFifoWithinAQueueAndStrictAcrossQueues) {
  insert("low", "l1");
  insert("high", "h1");
  insert("low", "l2");
  insert("high", "h2");
  EXPECT_EQ(jids(fetch({"high", "low"}, 3)), (Jids{"h1", "h2", "l1"}));
  EXPECT_EQ(jids(fetch({"high", "low"}, 3)), (Jids{"l2"}));
  EXPECT_TRUE(fetch({"high", "low"}).empty());
}

TEST_P(StoreConformance, FetchedJobsCarryTheirQueueAndExactBytes) {
  const std::string payload = insert("q", "j1");
  const auto jobs = fetch({"q"});
  ASSERT_EQ(jobs.size(), 1U);
  EXPECT_EQ(jobs[0].queue, "q");
  expect_same_payload(jobs[0].payload, payload);
}

TEST_P(StoreConformance, BulkInsertKeepsOrderAndCountsQueues) {
  JobInsertManyParams params;
  for (const std::string jid : {"a", "b", "c"}) {
    params.jobs.push_back({jid, "bulk", R"({"class":"C","args":[],"jid":")" + jid + R"("})", std::nullopt});
  }
  store->job_insert_many(params);
  EXPECT_EQ(test::admin(*store).queue_size({"bulk"}), 3);
  EXPECT_EQ(test::admin(*store).queue_names(), Jids{"bulk"});
  EXPECT_EQ(jids(fetch({"bulk"})), (Jids{"a", "b", "c"}));
  EXPECT_EQ(test::admin(*store).queue_size({"bulk"}), 0);
}

TEST_P(StoreConformance, RequeuedJobsAreNextInLine) {
  insert("q", "1");
  insert("q", "2");
  insert("q", "3");
  const auto taken = fetch({"q"}, 2);
  ASSERT_EQ(jids(taken), (Jids{"1", "2"}));
  store->job_give_back({taken, "tester:1:000000000000"});
  EXPECT_EQ(jids(fetch({"q"})), (Jids{"1", "2", "3"}));
}

// A job that succeeded after shutdown pushed it back takes its copy out of the queue
// (Store::job_complete_given_back), but only while no process has fetched it since.
TEST_P(StoreConformance, ALateCompletionRemovesThePushedBackCopyOnlyIfNobodyFetchedIt) {
  insert("q", "taken");
  insert("q", "late");
  const auto first = fetch({"q"}, 2);
  ASSERT_EQ(jids(first), (std::vector<std::string>{"taken", "late"}));
  store->job_give_back({first, "tester:1:000000000000"});
  const auto again = fetch({"q"}, 1, "other:1:000000000000");  // another process takes "taken" back
  ASSERT_EQ(jids(again), std::vector<std::string>{"taken"});
  EXPECT_TRUE(store->job_complete_given_back({first.at(1)})) << "\"late\" waited untouched";
  EXPECT_FALSE(store->job_complete_given_back({first.at(1)})) << "already removed";
  EXPECT_FALSE(store->job_complete_given_back({first.at(0)})) << "another process holds it now";
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
  store->job_complete({again, "other:1:000000000000"});  // the other delivery is untouched and completes
  EXPECT_TRUE(fetch({"q"}).empty());
  EXPECT_TRUE(held_by("other:1:000000000000").empty());
}

TEST_P(StoreConformance, CompletedJobsAreGone) {
  insert("q", "1");
  const auto taken = fetch({"q"});
  store->job_complete({taken, "tester:1:000000000000"});
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
  EXPECT_TRUE(held_by("tester:1:000000000000").empty());
}

TEST_P(StoreConformance, HostileQueueNamesAreJustNamesOrRefused) {
  if (!store->capabilities().any_queue_name) {
    for (const std::string name : {"' OR 1=1; --", "ünïcødé", "a:b", "x\"y", "%_*", "Upper", ""}) {
      EXPECT_THROW(store->check_queue_name(name), ArgumentError) << name;
      EXPECT_THROW(insert(name, name), ArgumentError) << name;
      EXPECT_THROW((void)fetch({name}), ArgumentError) << name;
    }
    EXPECT_TRUE(test::admin(*store).queue_names().empty()) << "nothing was created";
    insert("fine_name_1", "ok");
    EXPECT_EQ(jids(fetch({"fine_name_1"})), Jids{"ok"});
    return;
  }
  for (const std::string name : {"' OR 1=1; --", "ünïcødé", "a:b", "x\"y", "%_*"}) insert(name, name);
  for (const std::string name : {"' OR 1=1; --", "ünïcødé", "a:b", "x\"y", "%_*"}) {
    EXPECT_EQ(test::admin(*store).queue_size({name}), 1) << name;
    EXPECT_EQ(jids(fetch({name})), Jids{name}) << name;
  }
}

TEST_P(BlockingFetchConformance, AWaitingFetchWakesWhenAJobArrives) {
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    insert("q", "late");
  });
  JobFetchParams params;
  params.queues = {"q"};
  params.max = 1;
  params.wait = std::chrono::milliseconds(2000);
  params.owner = "tester:1:000000000000";
  // One call: the job arrives while it waits, so only a wake-up (not a later poll, not
  // a second call) can return it. No wall-clock bound: a loaded machine may be slow.
  const std::vector<FetchedJob> jobs = store->job_fetch(params);
  producer.join();
  EXPECT_EQ(jids(jobs), Jids{"late"}) << "the waiting fetch woke up when the job arrived";
}

TEST_P(StoreConformance, AWaitingFetchEndsWhenStopped) {
  std::stop_source stop;
  JobFetchParams params;
  params.queues = {"empty"};
  params.wait = std::chrono::milliseconds(2000);
  params.stop = stop.get_token();
  params.owner = "tester:1:000000000000";
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(store->job_fetch(params).empty());
  stopper.join();
  // A wait that ran out would take the whole 2 s: anything shorter means the stop ended it.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
}

}  // namespace
}  // namespace errand::conformance

namespace errand::conformance {
namespace {

// More threads than any store's connection pool, each enqueueing to a queue of its own
// (so Postgres creates tables at the same time): once made a pool deadlock.
TEST_P(StoreConformance, ManyThreadsEnqueueAtOnceIntoNewQueues) {
  constexpr int threads = 20;
  constexpr int each = 25;
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      const std::string queue = "many_" + std::to_string(t);
      for (int i = 0; i < each; ++i) insert(queue, queue + "_" + std::to_string(i));
    });
  }
  for (auto& p : producers) p.join();
  std::int64_t total = 0;
  for (int t = 0; t < threads; ++t) total += test::admin(*store).queue_size({"many_" + std::to_string(t)});
  EXPECT_EQ(total, threads * each);
  EXPECT_EQ(test::admin(*store).queue_names().size(), static_cast<std::size_t>(threads));
}

}  // namespace
}  // namespace errand::conformance
