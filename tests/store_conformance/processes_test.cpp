// Conformance: heartbeats, stats, and (with reliable fetch) jobs of dead processes.
#include "conformance.hpp"

#include <thread>

namespace errand::conformance {
namespace {

using Jids = std::vector<std::string>;

TEST_P(StoreConformance, HeartbeatsCountProcessesAndFlushStats) {
  ProcessBeatParams beat;
  beat.identity = "host:1:aaaaaaaaaaaa";
  beat.info_json = R"({"hostname":"host"})";
  beat.processed = 5;
  beat.failed = 2;
  (void)store->process_beat(beat);
  beat.processed = 1;
  beat.failed = 0;
  (void)store->process_beat(beat);
  EXPECT_EQ(store->stats().processed, 6);
  EXPECT_EQ(store->stats().failed, 2);
  EXPECT_EQ(store->process_count(), 1);
  store->process_stop(beat.identity, SidekiqVersion::v6);
  EXPECT_EQ(store->process_count(), 1) << "at least 1, for the poller's arithmetic";
}

TEST_P(StoreConformance, JobsOfAProcessThatStoppedBeatingComeBack) {
  if (!store->capabilities().reliable_fetch) GTEST_SKIP() << GetParam().name << " has no reliable fetch";
  const std::string dead = "host:2:bbbbbbbbbbbb";
  ProcessBeatParams beat;
  beat.identity = dead;
  beat.liveness_ttl = std::chrono::milliseconds(100);
  (void)store->process_beat(beat);
  insert("q", "held");
  ASSERT_EQ(jids(fetch({"q"}, 1, dead)), Jids{"held"});
  EXPECT_EQ(store->job_rescue_orphans({"host:3:cccccccccccc"}), 0U) << "still alive";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(store->job_rescue_orphans({"host:3:cccccccccccc"}), 1U);
  EXPECT_EQ(jids(fetch({"q"})), Jids{"held"});
}

TEST_P(StoreConformance, AProcessCanReclaimItsOwnStrandedJobs) {
  if (!store->capabilities().reliable_fetch) GTEST_SKIP() << GetParam().name << " has no reliable fetch";
  const std::string me = "host:4:dddddddddddd";
  insert("q", "stranded");
  const auto taken = fetch({"q"}, 1, me);
  ASSERT_EQ(store->job_in_progress(me), std::vector<std::string>{taken.at(0).payload});
  EXPECT_EQ(store->job_reclaim({me, {taken.at(0).payload, "not held"}}), 1U);
  EXPECT_TRUE(store->job_in_progress(me).empty());
  EXPECT_EQ(jids(fetch({"q"})), Jids{"stranded"});
}

}  // namespace
}  // namespace errand::conformance
