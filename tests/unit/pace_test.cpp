// How much work a processor keeps in memory: its threads' running jobs, ~2 ms of work
// fetched ahead, and ~10 ms of finished work whose acknowledgement is on its way.
#include "core/pace.hpp"

#include <gtest/gtest.h>

namespace errand::pace_test {

using detail::default_unacknowledged_limit;
using detail::hold_limit;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(RunPace, AveragesRecentRuns) {
  detail::RunPace pace;
  EXPECT_EQ(pace.mean(), nanoseconds(0)) << "nothing ran yet";
  pace.add(microseconds(100));
  EXPECT_EQ(pace.mean(), microseconds(100));
  for (int i = 0; i < 200; ++i) pace.add(microseconds(10));
  EXPECT_NEAR(static_cast<double>(pace.mean().count()), 10'000.0, 100.0) << "the old run has faded";
}

TEST(HoldLimit, WithoutReliableFetchOnlyWhatIdleThreadsStartNow) {
  EXPECT_EQ(hold_limit(10, false, microseconds(5)), 10U);
  EXPECT_EQ(hold_limit(10, false, nanoseconds(0)), 10U);
}

TEST(HoldLimit, BeforeAnyJobRanTwiceTheThreads) { EXPECT_EQ(hold_limit(10, true, nanoseconds(0)), 20U); }

TEST(HoldLimit, SlowJobsKeepTwiceTheThreads) {
  EXPECT_EQ(hold_limit(10, true, milliseconds(100)), 20U);
  EXPECT_EQ(hold_limit(1, true, milliseconds(20)), 2U);
}

TEST(HoldLimit, FastJobsHoldTwoMillisecondsOfWorkBeyondTheRunningOnes) {
  EXPECT_EQ(hold_limit(4, true, microseconds(40)), 4U + 4 * 50);  // 50 runs each in 2 ms
  EXPECT_EQ(hold_limit(1, true, microseconds(20)), 1U + 100);
  EXPECT_EQ(hold_limit(10, true, microseconds(500)), 10U + 10 * 4);
  EXPECT_EQ(hold_limit(10, true, milliseconds(3)), 20U) << "no run fits in 2 ms: the floor";
}

TEST(HoldLimit, AChosenPrefetchReplacesThePace) {
  EXPECT_EQ(hold_limit(10, true, microseconds(5), 0), 10U) << "0: only what the threads run";
  EXPECT_EQ(hold_limit(10, true, nanoseconds(0), 3), 13U);
  EXPECT_EQ(hold_limit(1, true, nanoseconds(500), 1000), 1001U) << "not bounded by max_prefetch";
  EXPECT_EQ(hold_limit(10, false, microseconds(5), 50), 10U) << "never ahead without reliable fetch";
}

TEST(HoldLimit, NeverMoreThanMaxPrefetchWaiting) {
  EXPECT_EQ(hold_limit(1, true, nanoseconds(500)), 1U + detail::max_prefetch);
  EXPECT_EQ(hold_limit(50, true, microseconds(5)), 50U + detail::max_prefetch);
}

TEST(UnacknowledgedLimit, ConcurrencyOrSixteenForSlowJobs) {
  EXPECT_EQ(default_unacknowledged_limit(1, nanoseconds(0)), 16U);
  EXPECT_EQ(default_unacknowledged_limit(4, milliseconds(50)), 16U);
  EXPECT_EQ(default_unacknowledged_limit(50, milliseconds(50)), 50U);
}

TEST(UnacknowledgedLimit, TenMillisecondsOfWorkForFastJobs) {
  EXPECT_EQ(default_unacknowledged_limit(1, microseconds(20)), 500U);
  EXPECT_EQ(default_unacknowledged_limit(10, microseconds(5)), detail::max_unacknowledged);
}

}  // namespace errand::pace_test
