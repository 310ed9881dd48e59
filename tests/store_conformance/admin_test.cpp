// Conformance: the admin operations (retry now, delete, clear) the CLI and a dashboard use.
#include "conformance.hpp"

#include <errand/error.hpp>

namespace errand::conformance {
namespace {

using Jids = std::vector<std::string>;
const std::string owner = "tester:1:000000000000";

std::string failed_payload(const std::string& queue, const std::string& jid, int retry_count) {
  return to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", queue}, {"jid", jid},
                              {"retry_count", retry_count}, {"error_message", "boom"}});
}

/// Puts jobs in the retry set (due in an hour) through a fetch and a failed run.
void fail_into_retry_set(StoreConformance& t, Store& store, const std::vector<std::string>& jids) {
  for (const auto& jid : jids) {
    t.insert("q", jid);
    JobFetchParams params;
    params.queues = {"q"};
    params.owner = owner;
    const auto taken = store.job_fetch(params);
    ASSERT_EQ(taken.size(), 1U);
    store.job_retry({taken[0], "q", failed_payload("q", jid, 3), Clock::now() + std::chrono::hours(1), owner});
  }
}

TEST_P(StoreConformance, RetryNowMovesChosenRetriesToTheirQueueWithOneAttemptBack) {
  fail_into_retry_set(*this, *store, {"r1", "r2", "r3"});
  ASSERT_EQ(test::admin(*store).set_size({JobSet::retry}), 3);
  EXPECT_EQ(test::admin(*store).set_enqueue_now({JobSet::retry, {.jids = {"r2", "missing"}}}), 1U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 2);
  const auto jobs = fetch({"q"});
  ASSERT_EQ(jids(jobs), Jids{"r2"});
  EXPECT_EQ(Job::parse(jobs[0].payload).retry_count(), 2) << "as Sidekiq's SortedEntry#retry";
  EXPECT_EQ(test::admin(*store).set_enqueue_now({JobSet::retry, {.all = true}}), 2U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 2);
}

TEST_P(StoreConformance, DeleteRemovesChosenEntriesOnly) {
  fail_into_retry_set(*this, *store, {"d1", "d2"});
  const TimePoint later = Clock::now() + std::chrono::hours(2);
  store->job_insert_many({{{"s1", "q", R"({"class":"C","args":[],"queue":"q","jid":"s1"})", later}}});
  EXPECT_EQ(test::admin(*store).set_delete({JobSet::retry, {.jids = {"d1"}}}), 1U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 1);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 1) << "other sets untouched";
  EXPECT_EQ(test::admin(*store).set_delete({JobSet::scheduled, {.all = true}}), 1U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
  EXPECT_EQ(test::admin(*store).set_delete({JobSet::retry, {}}), 0U) << "an empty selection selects nothing";
}

TEST_P(StoreConformance, DeadJobsCanBeRetriedAndDeleted) {
  for (const std::string jid : {"x1", "x2"}) {
    insert("q", jid);
    const auto taken = fetch({"q"});
    ASSERT_EQ(taken.size(), 1U);
    store->job_kill({taken[0], failed_payload("q", jid, 25), Clock::now(), {}, owner});
  }
  ASSERT_EQ(test::admin(*store).set_size({JobSet::dead}), 2);
  EXPECT_EQ(test::admin(*store).set_enqueue_now({JobSet::dead, {.jids = {"x1"}}}), 1U);
  EXPECT_EQ(jids(fetch({"q"})), Jids{"x1"});
  EXPECT_EQ(test::admin(*store).set_delete({JobSet::dead, {.jids = {"x2"}}}), 1U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0);
}

TEST_P(StoreConformance, ClearEmptiesAQueueButNotTheOthers) {
  insert("q", "a");
  insert("q", "b");
  insert("other", "c");
  EXPECT_EQ(test::admin(*store).queue_clear({"q"}), 2U);
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"other"}), 1);
  EXPECT_EQ(test::admin(*store).queue_clear({"never_used"}), 0U);
}

}  // namespace
}  // namespace errand::conformance
