#include <errand/error.hpp>
#include <errand/job.hpp>

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace errand {
namespace {

TEST(Jid, Is24LowercaseHexAndUnique) {
  std::set<std::string> seen;
  const std::regex hex("^[0-9a-f]{24}$");
  for (int i = 0; i < 10'000; ++i) {
    std::string jid = new_jid();
    ASSERT_TRUE(std::regex_match(jid, hex)) << jid;
    ASSERT_TRUE(seen.insert(jid).second) << "duplicate jid " << jid;
  }
}

TEST(Job, KeepsUnknownFieldsAndTheirOrderOnRoundTrip) {
  const std::string payload =
      R"({"retry":5,"queue":"q","class":"W","args":[],"bid":"b1","wrapped":"Real","cattr":{"user":1},"lock_digest":"uniquejobs:abc","jid":"j"})";
  Job job = Job::parse(payload);
  EXPECT_EQ(job.dump(), payload);
  job.set("retry_count", 0);
  job.set("queue", "other");  // existing key keeps its place
  EXPECT_EQ(job.dump(),
            R"({"retry":5,"queue":"other","class":"W","args":[],"bid":"b1","wrapped":"Real","cattr":{"user":1},"lock_digest":"uniquejobs:abc","jid":"j","retry_count":0})");
}

TEST(Job, EraseKeepsTheOrderOfTheOtherKeys) {
  Job job = Job::parse(R"({"a":1,"at":2,"b":3,"c":4})");
  job.erase("at");
  EXPECT_EQ(job.dump(), R"({"a":1,"b":3,"c":4})");
  job.erase("missing");
  EXPECT_EQ(job.dump(), R"({"a":1,"b":3,"c":4})");
}

TEST(Job, Accessors) {
  const Job job = Job::parse(R"({"class":"Mod::W","args":[1,"x"],"jid":"abc","retry_count":3})");
  EXPECT_EQ(job.class_name(), "Mod::W");
  EXPECT_EQ(job.jid(), "abc");
  EXPECT_EQ(job.queue(), "default");
  EXPECT_EQ(job.args().size(), 2U);
  EXPECT_EQ(job.retry_count(), 3);
  EXPECT_FALSE(Job::parse(R"({"class":"W","args":[]})").retry_count().has_value());
}

TEST(Job, ParseRejectsWhatIsNotAJobObject) {
  EXPECT_THROW((void)Job::parse("[1,2]"), PayloadError);
  EXPECT_THROW((void)Job::parse("{\"class\":"), PayloadError);
  EXPECT_THROW((void)Job::parse("\"just a string\""), PayloadError);
}

TEST(Job, ArgsThatAreNotAnArrayAreAPayloadError) {
  EXPECT_THROW((void)Job::parse(R"({"class":"W"})").args(), PayloadError);
  EXPECT_THROW((void)Job::parse(R"({"class":"W","args":"x"})").args(), PayloadError);
}

TEST(Timestamps, FloatSecondsUpTo7IntegerMillisecondsIn8) {
  const TimePoint t = from_epoch_seconds(1700000000.123456);
  const json::value v6 = timestamp_value(t, SidekiqVersion::v6);
  ASSERT_TRUE(v6.is_double());
  EXPECT_DOUBLE_EQ(v6.get_double(), 1700000000.123456);
  EXPECT_TRUE(timestamp_value(t, SidekiqVersion::v7).is_double());
  const json::value v8 = timestamp_value(t, SidekiqVersion::v8);
  ASSERT_TRUE(v8.is_int64());
  EXPECT_EQ(v8.get_int64(), 1700000000123);
}

TEST(Timestamps, ReadsBothFormats) {
  const auto from_float = read_timestamp(json::value(1700000000.5));
  const auto from_int = read_timestamp(json::value(1700000000500));
  ASSERT_TRUE(from_float && from_int);
  EXPECT_EQ(*from_float, *from_int);
  EXPECT_FALSE(read_timestamp(json::value("yesterday")).has_value());
}

}  // namespace
}  // namespace errand
