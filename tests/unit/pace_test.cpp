// How much work a processor keeps in memory: its threads' running jobs, ~2 ms of work
// fetched ahead, and ~10 ms of finished work whose acknowledgement is on its way.
#include "core/pace.hpp"

#include <gtest/gtest.h>

namespace errand::pace_test {

using detail::default_unacknowledged_limit;
using detail::hold_limit;
using detail::PrefetchRule;

constexpr PrefetchRule reliable{.reliable_fetch = true};  // a store's default limit: 250
constexpr PrefetchRule unreliable{};
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
  EXPECT_EQ(hold_limit(10, unreliable, microseconds(5)), 10U);
  EXPECT_EQ(hold_limit(10, unreliable, nanoseconds(0)), 10U);
}

TEST(HoldLimit, BeforeAnyJobRanTwiceTheThreads) { EXPECT_EQ(hold_limit(10, reliable, nanoseconds(0)), 20U); }

TEST(HoldLimit, SlowJobsKeepTwiceTheThreads) {
  EXPECT_EQ(hold_limit(10, reliable, milliseconds(100)), 20U);
  EXPECT_EQ(hold_limit(1, reliable, milliseconds(20)), 2U);
}

TEST(HoldLimit, FastJobsHoldTwoMillisecondsOfWorkBeyondTheRunningOnes) {
  EXPECT_EQ(hold_limit(4, reliable, microseconds(40)), 4U + 4 * 50);  // 50 runs each in 2 ms
  EXPECT_EQ(hold_limit(1, reliable, microseconds(20)), 1U + 100);
  EXPECT_EQ(hold_limit(10, reliable, microseconds(500)), 10U + 10 * 4);
  EXPECT_EQ(hold_limit(10, reliable, milliseconds(3)), 20U) << "no run fits in 2 ms: the floor";
}

TEST(HoldLimit, AChosenPrefetchReplacesThePace) {
  const auto chosen = [](std::size_t n) { return PrefetchRule{.reliable_fetch = true, .chosen = n}; };
  EXPECT_EQ(hold_limit(10, chosen(0), microseconds(5)), 10U) << "0: only what the threads run";
  EXPECT_EQ(hold_limit(10, chosen(3), nanoseconds(0)), 13U);
  EXPECT_EQ(hold_limit(1, chosen(5000), nanoseconds(500)), 5001U) << "not bounded by the store's limit";
  EXPECT_EQ(hold_limit(10, PrefetchRule{.chosen = 50}, microseconds(5)), 10U) << "never ahead without reliable fetch";
}

TEST(HoldLimit, NeverMoreWaitingThanTheStoresLimit) {
  EXPECT_EQ(hold_limit(1, reliable, nanoseconds(500)), 1U + 250);
  EXPECT_EQ(hold_limit(50, reliable, microseconds(5)), 50U + 250);
  const PrefetchRule postgres{.reliable_fetch = true, .most = 1000};
  EXPECT_EQ(hold_limit(1, postgres, nanoseconds(500)), 1U + 1000) << "the store's limit";
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
