// Conformance: heartbeats, stats, and (with reliable fetch) jobs of dead processes.
#include "conformance.hpp"

#include <thread>

#include "test_env.hpp"

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
  EXPECT_EQ(test::admin(*store).stats().processed, 6);
  EXPECT_EQ(test::admin(*store).stats().failed, 2);
  EXPECT_EQ(store->process_count(), 1);
  store->process_stop({beat.identity});
  EXPECT_EQ(store->process_count(), 1) << "at least 1, for the poller's arithmetic";
}

TEST_P(InProgressListConformance, JobsOfAProcessThatStoppedBeatingComeBack) {
  const std::string dead = "host:2:bbbbbbbbbbbb";
  ProcessBeatParams beat;
  beat.identity = dead;
  beat.liveness_ttl = std::chrono::seconds(2);  // long enough to be seen alive on a loaded machine
  (void)store->process_beat(beat);
  insert("q", "held");
  ASSERT_EQ(jids(fetch({"q"}, 1, dead)), Jids{"held"});
  EXPECT_EQ(test::held_jobs(*store).job_give_back_orphaned({"host:3:cccccccccccc"}), 0U) << "still alive";
  // No more beats: once its liveness runs out, its job comes back (wait for that state).
  std::size_t rescued = 0;
  EXPECT_TRUE(test::eventually([&] { return (rescued += test::held_jobs(*store).job_give_back_orphaned({"host:3:cccccccccccc"})) > 0; },
                               std::chrono::seconds(15)));
  EXPECT_EQ(rescued, 1U);
  EXPECT_EQ(jids(fetch({"q"})), Jids{"held"});
}

TEST_P(InProgressListConformance, AProcessCanReclaimItsOwnStrandedJobs) {
  const std::string me = "host:4:dddddddddddd";
  insert("q", "stranded");
  const auto taken = fetch({"q"}, 1, me);
  ASSERT_EQ(test::held_jobs(*store).job_list_held({me}), std::vector<std::string>{taken.at(0).payload});
  EXPECT_EQ(test::held_jobs(*store).job_give_back_stranded({me, {taken.at(0).payload, "not held"}}), 1U);
  EXPECT_TRUE(test::held_jobs(*store).job_list_held({me}).empty());
  EXPECT_EQ(jids(fetch({"q"})), Jids{"stranded"});
}

TEST_P(LeaseConformance, LeasedJobsStayWhileBeatsRenewThemAndComeBackAfter) {
  const std::string me = "host:5:eeeeeeeeeeee";
  insert("q", "leased");
  const auto taken = fetch({"q"}, 1, me);
  ASSERT_EQ(jids(taken), Jids{"leased"});
  ProcessBeatParams beat;
  beat.identity = me;
  beat.held = taken;
  // Renewed for three lease lengths: nobody else gets it.
  const auto renewed_until = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  while (std::chrono::steady_clock::now() < renewed_until) {
    (void)store->process_beat(beat);
    EXPECT_TRUE(fetch({"q"}, 1, "other:1:000000000000").empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // No more beats: the lease runs out and another process takes it.
  std::vector<FetchedJob> again;
  ASSERT_TRUE(test::eventually([&] { return !(again = fetch({"q"}, 1, "other:1:000000000000")).empty(); }));
  EXPECT_EQ(jids(again), Jids{"leased"});
  // The first holder's late acknowledgement must not remove the new delivery.
  store->job_complete({taken, me});
  store->job_give_back({again, "other:1:000000000000"});
  EXPECT_EQ(test::admin(*store).queue_size({"q"}), 1);
}

}  // namespace
}  // namespace errand::conformance
