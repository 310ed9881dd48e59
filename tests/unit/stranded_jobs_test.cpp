#include "core/stranded_jobs.hpp"

#include <gtest/gtest.h>

namespace errand::detail {
namespace {

using Payloads = std::vector<std::string>;

TEST(StrandedJobs, ReclaimsWhatIsListedButNotHeldOnTwoLooks) {
  StrandedJobs stranded;
  // "a" runs; "c" lost its acknowledgement. No transfer under way (counter even).
  EXPECT_EQ(stranded.update({"a", "c"}, {"a"}, 10, 10), Payloads{});
  EXPECT_EQ(stranded.update({"a", "c"}, {"a"}, 10, 10), Payloads{"c"});
  EXPECT_EQ(stranded.update({"a"}, {"a"}, 10, 10), Payloads{}) << "reclaimed jobs are forgotten";
}

TEST(StrandedJobs, AJobInTransitIsNeverReclaimedHoweverLongTheFetcherTakes) {
  StrandedJobs stranded;
  // A fetch is under way (odd): "b" is listed, not yet handed over.
  EXPECT_EQ(stranded.update({"b"}, {}, 11, 11), Payloads{});
  // The fetcher is slow (descheduled): still the same transfer at the next looks.
  EXPECT_EQ(stranded.update({"b"}, {}, 11, 11), Payloads{});
  EXPECT_EQ(stranded.update({"b"}, {}, 11, 11), Payloads{});
  // Handed over: held now.
  EXPECT_EQ(stranded.update({"b"}, {"b"}, 12, 12), Payloads{});
}

TEST(StrandedJobs, ATransferThatStartsDuringALookMustFinishFirst) {
  StrandedJobs stranded;
  EXPECT_EQ(stranded.update({"x"}, {}, 20, 21), Payloads{});  // a fetch started while looking
  EXPECT_EQ(stranded.update({"x"}, {}, 21, 21), Payloads{}) << "that fetch has not finished";
  // It finished before this look began: had x been in it, x would be held by now.
  EXPECT_EQ(stranded.update({"x"}, {}, 22, 22), Payloads{"x"});
}

TEST(StrandedJobs, CountsDuplicatesSeparately) {
  StrandedJobs stranded;
  EXPECT_EQ(stranded.update({"x", "x"}, {"x"}, 2, 2), Payloads{});
  EXPECT_EQ(stranded.update({"x", "x"}, {"x"}, 2, 2), Payloads{"x"});
}

TEST(StrandedJobs, AJobThatFinishedBetweenLooksIsNotReclaimed) {
  StrandedJobs stranded;
  EXPECT_EQ(stranded.update({"a"}, {}, 4, 4), Payloads{});
  EXPECT_EQ(stranded.update({}, {}, 4, 4), Payloads{});
  EXPECT_EQ(stranded.update({"a"}, {}, 4, 4), Payloads{}) << "a new sighting starts over";
}

}  // namespace
}  // namespace errand::detail
