#include "core/stranded_jobs.hpp"

#include <gtest/gtest.h>

namespace errand::detail {
namespace {

using Payloads = std::vector<std::string>;

TEST(StrandedJobs, ReclaimsOnlyWhatTwoLooksInARowFindListedButNotHeld) {
  StrandedJobs stranded;
  // "a" is running; "b" was just fetched (listed, not yet in memory); "c" lost its ack.
  EXPECT_EQ(stranded.update({"a", "b", "c"}, {"a"}), Payloads{});
  // One round trip later "b" is held; "c" is still not.
  EXPECT_EQ(stranded.update({"a", "b", "c"}, {"a", "b"}), Payloads{"c"});
  // Reclaimed jobs are forgotten.
  EXPECT_EQ(stranded.update({"a", "b"}, {"a", "b"}), Payloads{});
}

TEST(StrandedJobs, CountsDuplicatesSeparately) {
  StrandedJobs stranded;
  EXPECT_EQ(stranded.update({"x", "x"}, {"x"}), Payloads{});
  EXPECT_EQ(stranded.update({"x", "x"}, {"x"}), Payloads{"x"});
}

TEST(StrandedJobs, AJobThatFinishedBetweenLooksIsNotReclaimed) {
  StrandedJobs stranded;
  EXPECT_EQ(stranded.update({"a"}, {}), Payloads{});
  EXPECT_EQ(stranded.update({}, {}), Payloads{});
  EXPECT_EQ(stranded.update({"a"}, {}), Payloads{}) << "a new sighting starts over";
}

}  // namespace
}  // namespace errand::detail
