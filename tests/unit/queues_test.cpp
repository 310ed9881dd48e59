#include <errand/error.hpp>
#include <errand/queues.hpp>

#include <gtest/gtest.h>

#include <map>

namespace errand {
namespace {

TEST(QueueList, StrictKeepsTheGivenOrder) {
  const QueueList queues{"critical", "default", "low"};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(queues.fetch_order(rng), (std::vector<std::string>{"critical", "default", "low"}));
  }
  EXPECT_EQ(queues.mode(), QueueList::Mode::strict);
}

TEST(QueueList, WeightedPutsAQueueFirstInProportionToItsWeight) {
  const auto queues = QueueList::weighted({{"critical", 6}, {"default", 3}, {"low", 1}});
  std::mt19937_64 rng(42);
  std::map<std::string, int> first;
  constexpr int rounds = 20'000;
  for (int i = 0; i < rounds; ++i) {
    const auto order = queues.fetch_order(rng);
    ASSERT_EQ(order.size(), 3U);
    ++first[order.front()];
  }
  EXPECT_NEAR(first["critical"] / double(rounds), 0.6, 0.03);
  EXPECT_NEAR(first["default"] / double(rounds), 0.3, 0.03);
  EXPECT_NEAR(first["low"] / double(rounds), 0.1, 0.03);
}

TEST(QueueList, RejectsBadConfiguration) {
  EXPECT_THROW((void)QueueList::weighted({{"a", 0}}), ConfigError);
  EXPECT_THROW((void)QueueList::strict({}), ConfigError);
  EXPECT_THROW((void)QueueList::strict({"a", "a"}), ConfigError);
  EXPECT_THROW((void)QueueList::strict({""}), ConfigError);
  EXPECT_THROW((void)QueueList::strict({std::string(300, 'q')}), ConfigError);
  EXPECT_THROW((void)QueueList::strict({"tab\there"}), ConfigError);
}

TEST(QueueList, HostileButPrintableNamesAreFine) {
  // Redis keys are binary-safe; these are just unusual names.
  EXPECT_NO_THROW((void)QueueList::strict({"queue:with:colons", "' OR 1=1; --", "ünïcødé", "*?[]"}));
}

}  // namespace
}  // namespace errand
