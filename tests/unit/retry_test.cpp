#include "core/retrier.hpp"

#include <gtest/gtest.h>

namespace errand::detail {
namespace {

using Action = RetryDecision::Action;

RetryDecision decide(const std::string& fields, const JobOptions* worker = nullptr) {
  return decide_retry(Job::parse(R"({"class":"W","args":[])" + fields + "}"), worker, 25);
}

TEST(DecideRetry, FollowsSidekiqsRules) {
  EXPECT_EQ(decide(R"(,"retry":true)").action, Action::retry);
  EXPECT_EQ(decide(R"(,"retry":true)").retry_count, 0);
  EXPECT_EQ(decide(R"(,"retry":true,"retry_count":0)").retry_count, 1);
  EXPECT_EQ(decide(R"(,"retry":true,"retry_count":24)").action, Action::kill);  // 25 retries done
  EXPECT_EQ(decide(R"(,"retry":true,"retry_count":23)").action, Action::retry);
  EXPECT_EQ(decide(R"(,"retry":false)").action, Action::discard);
  EXPECT_EQ(decide(R"(,"retry":0)").action, Action::kill);
  EXPECT_EQ(decide(R"(,"retry":2,"retry_count":0)").action, Action::retry);
  EXPECT_EQ(decide(R"(,"retry":2,"retry_count":1)").action, Action::kill);
  EXPECT_EQ(decide(R"(,"retry":0,"dead":false)").action, Action::discard);
}

TEST(DecideRetry, FallsBackToTheWorkersOptionThenToTrue) {
  const JobOptions no_retry{.retry = false};
  const JobOptions never_dead{.retry = 0, .dead = false};
  EXPECT_EQ(decide("", &no_retry).action, Action::discard);
  EXPECT_EQ(decide("", &never_dead).action, Action::discard);
  EXPECT_EQ(decide("").action, Action::retry);                             // unknown worker: keep the job
  EXPECT_EQ(decide(R"(,"retry":true)", &no_retry).action, Action::retry);  // the payload wins
}

TEST(DefaultRetryDelay, IsCountToTheFourthPlus15PlusJitter) {
  std::mt19937_64 rng(7);
  for (std::int64_t count : {0, 1, 2, 5, 24}) {
    for (int i = 0; i < 200; ++i) {
      const auto delay = default_retry_delay(count, rng).count();
      const std::int64_t base = count * count * count * count + 15;
      ASSERT_GE(delay, base);
      ASSERT_LE(delay, base + 9 * (count + 1));
    }
  }
}

}  // namespace
}  // namespace errand::detail

namespace errand::detail {
namespace {

TEST(DefaultRetryDelay, HugeCountsAreCappedNotOverflowed) {
  std::mt19937_64 rng(1);
  const auto ten_years = std::chrono::seconds(10LL * 365 * 24 * 3600);
  EXPECT_EQ(default_retry_delay(1'000'000, rng), ten_years);
  EXPECT_EQ(default_retry_delay(std::numeric_limits<std::int64_t>::max(), rng), ten_years);
  const auto decision = decide(R"(,"retry":true,"retry_count":9223372036854775807)");
  EXPECT_EQ(decision.action, Action::kill);
  EXPECT_EQ(decision.retry_count, std::numeric_limits<std::int64_t>::max());
}

TEST(RetryOption, AcceptsBoolsAndAnyIntegerButNotStrings) {
  static_assert(std::is_convertible_v<bool, Retry>);
  static_assert(std::is_convertible_v<int, Retry>);
  static_assert(std::is_convertible_v<unsigned, Retry>);
  static_assert(std::is_convertible_v<long, Retry>);
  static_assert(!std::is_convertible_v<const char*, Retry>);
  static_assert(!std::is_convertible_v<double, Retry>);
  EXPECT_EQ(to_json(Retry(5u).to_json()), "5");
  EXPECT_EQ(to_json(Retry(false).to_json()), "false");
}

}  // namespace
}  // namespace errand::detail
