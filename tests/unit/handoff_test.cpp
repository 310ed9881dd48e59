// The hand-off between the fetcher and the worker threads: bounded, ranked; and how much
// one fetch takes.
#include "core/fetcher.hpp"
#include "core/handoff.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace errand::handoff_test {

using detail::Handoff;

TEST(Handoff, DoneMovesTheLimitAndMakesRoom) {
  Handoff<int> handoff(2);
  std::vector<int> items{1, 2};
  ASSERT_TRUE(handoff.push_all(items));
  EXPECT_EQ(handoff.pop(), 1);
  handoff.done(10);
  EXPECT_EQ(handoff.limit(), 10U);
  std::stop_source stop;
  EXPECT_EQ(handoff.wait_for_room(stop.get_token()), 9U) << "one waiting, none busy";
}

TEST(Handoff, AMoreUrgentItemFetchedLaterRunsFirst) {
  Handoff<std::string> handoff(10, 2);
  const auto rank = [](const std::string& s) { return s.starts_with("critical") ? std::size_t{0} : std::size_t{1}; };
  std::vector<std::string> batch{"default 1", "default 2", "default 3"};
  ASSERT_TRUE(handoff.push_all(batch, rank));
  EXPECT_EQ(handoff.pop(), "default 1");
  std::vector<std::string> urgent{"critical 1", "default 4"};
  ASSERT_TRUE(handoff.push_all(urgent, rank));
  EXPECT_EQ(handoff.pop(), "critical 1");
  EXPECT_EQ(handoff.pop(), "default 2") << "oldest first within a rank";
  std::vector<std::string> left = handoff.close();
  EXPECT_EQ(left, (std::vector<std::string>{"default 3", "default 4"}));
}

TEST(Handoff, ARankPastTheLastGoesLast) {
  Handoff<int> handoff(10, 2);
  std::vector<int> items{7, 0};
  ASSERT_TRUE(handoff.push_all(items, [](int v) { return static_cast<std::size_t>(v); }));
  EXPECT_EQ(handoff.pop(), 0);
  EXPECT_EQ(handoff.pop(), 7) << "rank 7 of 2 is the last rank";
}

TEST(Handoff, WaitingItemsCountAgainstTheLimit) {
  Handoff<int> handoff(3, 2);
  std::vector<int> items{1, 0};
  ASSERT_TRUE(handoff.push_all(items, [](int v) { return static_cast<std::size_t>(v); }));
  std::stop_source stop;
  EXPECT_EQ(handoff.wait_for_room(stop.get_token()), 1U);
  int seen = 0;
  handoff.for_each_waiting([&](int) { ++seen; });
  EXPECT_EQ(seen, 2);
}

TEST(FetchSize, SeveralStrictQueuesFetchAtMostAHundredAtOnce) {
  EXPECT_EQ(detail::Fetcher::fetch_size(QueueList{"critical", "default"}, 250), 100U);
  EXPECT_EQ(detail::Fetcher::fetch_size(QueueList{"critical", "default"}, 7), 7U);
  EXPECT_EQ(detail::Fetcher::fetch_size(QueueList{"default"}, 250), 250U) << "one queue: nothing to jump ahead";
  EXPECT_EQ(detail::Fetcher::fetch_size(QueueList::weighted({{"a", 1}, {"b", 1}}), 250), 250U);
}

}  // namespace errand::handoff_test
