// Conformance: the scheduled, retry and dead sets, and the poller's move.
#include "conformance.hpp"

#include <errand/error.hpp>

#include <stdexcept>

namespace errand::conformance {
namespace {

using Jids = std::vector<std::string>;
const std::string sets_owner = "tester:1:000000000000";

std::string payload(const std::string& queue, const std::string& jid) {
  return to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", queue}, {"jid", jid}});
}

/// Fetches from `queues` until a job comes or `timeout` passes.
std::vector<FetchedJob> fetch_when_due(StoreConformance& t, Store& store, const std::vector<std::string>& queues,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  JobFetchParams params;
  params.queues = queues;
  params.max = 10;
  params.wait = std::chrono::milliseconds(200);
  params.owner = sets_owner;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<FetchedJob> jobs;
  while (jobs.empty() && std::chrono::steady_clock::now() < deadline) jobs = store.job_fetch(params);
  (void)t;
  return jobs;
}

TEST_P(StoreConformance, ScheduledJobsWaitInTheScheduledSetUntilDue) {
  if (store->capabilities().schedules_itself) {
    const TimePoint soon = Clock::now() + std::chrono::seconds(1);
    store->job_insert_many({{{"s", "q", payload("q", "s"), soon}}});
    EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
    ASSERT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 1);
    EXPECT_NEAR(epoch_seconds(test::admin(*store).set_list({JobSet::scheduled, 10}).at(0).at), epoch_seconds(soon), 0.01);
    EXPECT_TRUE(fetch({"q"}).empty()) << "not due yet";
    EXPECT_EQ(jids(fetch_when_due(*this, *store, {"q"})), Jids{"s"});
    EXPECT_GE(Clock::now(), soon);
    EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
    return;
  }
  const TimePoint soon = Clock::now() + std::chrono::hours(1);
  store->job_insert_many({{{"s", "q", payload("q", "s"), soon}}});
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
  ASSERT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 1);
  const auto entries = test::admin(*store).set_list({JobSet::scheduled, 10});
  EXPECT_NEAR(epoch_seconds(entries.at(0).at), epoch_seconds(soon), 0.01);
  EXPECT_EQ(store->job_schedule_due({Clock::now(), 100}), 0U);
  EXPECT_EQ(store->job_schedule_due({soon + std::chrono::seconds(1), 100}), 1U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
  EXPECT_EQ(jids(fetch({"q"})), Jids{"s"});
}

TEST_P(StoreConformance, RetriesMoveBackToTheQueueInTheirPayload) {
  insert("q", "r");
  const auto taken = fetch({"q"});
  const bool self = store->capabilities().schedules_itself;
  const TimePoint at = Clock::now() + (self ? std::chrono::seconds(1) : std::chrono::seconds(30));
  const std::string retried = to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", "retries"},
                                                   {"jid", "r"}, {"retry_count", 0}});
  store->job_retry({taken.at(0), "retries", retried, at, sets_owner});
  EXPECT_TRUE(held_by(sets_owner).empty());
  ASSERT_EQ(test::admin(*store).set_size({JobSet::retry}), 1);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
  expect_same_payload(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload, retried);
  if (self) {
    EXPECT_TRUE(fetch({"retries"}).empty()) << "not due yet";
    EXPECT_EQ(jids(fetch_when_due(*this, *store, {"retries"})), Jids{"r"});
    return;
  }
  EXPECT_EQ(store->job_schedule_due({at + std::chrono::seconds(1), 100}), 1U);
  EXPECT_EQ(jids(fetch({"retries"})), Jids{"r"});
}

TEST_P(StoreConformance, DueMovesRetriesBeforeScheduledJobsAndRespectsMax) {
  const TimePoint past = Clock::now() - std::chrono::seconds(5);
  insert("q", "x");
  const auto taken = fetch({"q"});
  ASSERT_EQ(jids(taken), Jids{"x"});
  store->job_insert_many({{{"s1", "q", payload("q", "s1"), past}, {"s2", "q", payload("q", "s2"), past}}});
  store->job_retry({taken.at(0), "q", payload("q", "x"), past, sets_owner});
  if (store->capabilities().schedules_itself) {
    EXPECT_EQ(test::admin(*store).queue_size({"q"}), 3) << "due jobs are ready without the poller";
    EXPECT_THROW((void)store->job_schedule_due({Clock::now(), 100}), std::logic_error)
        << "the poller never calls it on a store that schedules itself";
    return;
  }
  EXPECT_EQ(store->job_schedule_due({Clock::now(), 2}), 2U);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0) << "retries go first";
  EXPECT_EQ(store->job_schedule_due({Clock::now(), 100}), 1U);
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 3);
}

TEST_P(StoreConformance, KilledJobsGoToTheDeadSetWithinItsLimits) {
  const TimePoint now = Clock::now();
  for (int i = 0; i < 5; ++i) {
    const std::string jid = "d" + std::to_string(i);
    insert("q", jid);
    const auto taken = fetch({"q"});
    store->job_kill({taken.at(0), payload("q", jid), now + std::chrono::seconds(i), {.max_jobs = 4}, sets_owner});
  }
  // As Sidekiq's ZREMRANGEBYRANK dead 0 -4: the newest 3 stay.
  const auto dead = test::admin(*store).set_list({JobSet::dead, 10});
  ASSERT_EQ(dead.size(), 3U);
  EXPECT_EQ(Job::parse(dead.front().payload).jid(), "d2");
  EXPECT_EQ(Job::parse(dead.back().payload).jid(), "d4");
  insert("q", "old");
  const auto taken = fetch({"q"});
  store->job_kill({taken.at(0), payload("q", "old"), now + std::chrono::hours(24 * 200), {}, sets_owner});
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 1) << "older than 180 days: trimmed";
  EXPECT_TRUE(held_by(sets_owner).empty());
}

TEST_P(StoreConformance, UnreadablePayloadsCanBeKilledVerbatim) {
  if (!store->capabilities().verbatim_payloads) {
    // A JSON store refuses text that is not JSON when it is enqueued...
    EXPECT_THROW(store->job_insert_many({{{"", "q", "not json {", std::nullopt}}}), PayloadError);
    EXPECT_EQ(test::admin(*store).queue_size({"q"}), 0);
    // ...and JSON that is not a job dies as it is.
    store->job_insert_many({{{"", "q", "[42]", std::nullopt}}});
    const auto taken = fetch({"q"});
    ASSERT_EQ(taken.size(), 1U);
    EXPECT_EQ(taken[0].payload, "[42]");
    store->job_kill({taken[0], taken[0].payload, Clock::now(), {}, sets_owner});
    EXPECT_EQ(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload, "[42]");
    return;
  }
  store->job_insert_many({{{"", "q", "not json {", std::nullopt}}});
  const auto taken = fetch({"q"});
  ASSERT_EQ(taken.size(), 1U);
  EXPECT_EQ(taken[0].payload, "not json {");
  store->job_kill({taken[0], taken[0].payload, Clock::now(), {}, sets_owner});
  EXPECT_EQ(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload, "not json {");
}

}  // namespace
}  // namespace errand::conformance
