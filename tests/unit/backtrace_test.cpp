#include <errand/client.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>

#include "core/backtrace.hpp"
#include "test_env.hpp"

#include <gtest/gtest.h>

namespace errand::backtrace_test {

[[gnu::noinline]] void throw_from_deep_inside() { throw std::runtime_error("deep"); }

TEST(ErrorBacktrace, RoundTripsInSidekiqsEncodings) {
  const std::vector<std::string> lines{"a.rb:1:in `x'", "b.cpp:2 ✓", std::string(70'000, 'x')};
  const std::string v6 = detail::encode_error_backtrace(lines, SidekiqVersion::v6);
  const std::string v7 = detail::encode_error_backtrace(lines, SidekiqVersion::v7);
  EXPECT_NE(v6.find('\n'), std::string::npos) << "Base64.encode64 breaks lines every 60 characters";
  EXPECT_EQ(v6.find('\n'), 60U);
  EXPECT_EQ(v7.find('\n'), std::string::npos) << "7.3+ writes strict base64";
  EXPECT_EQ(detail::decode_error_backtrace(v6), lines);
  EXPECT_EQ(detail::decode_error_backtrace(v7), lines);
}

class BacktraceTest : public ::testing::Test {
 protected:
  std::shared_ptr<Store> store = make_memory_store();

  /// Runs `payload` on a fresh store until it fails once; returns it from the retry set.
  Job failed_job(const std::string& payload) {
    store = make_memory_store();
    ProcessorOptions o;
    o.concurrency = 1;
    o.logger = null_logger();
    Processor processor(store, o);
    processor.register_handler("Deep", [](const Job&, Context&) { throw_from_deep_inside(); });
    processor.start();
    (void)Client{store}.push(Job::parse(payload));
    EXPECT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
    processor.stop();
    return Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  }
};

TEST_F(BacktraceTest, TheThrowSiteIsRecordedWhenTheJobAsksForIt) {
  const Job job = failed_job(R"({"class":"Deep","args":[],"backtrace":true})");
  ASSERT_NE(job.find("error_backtrace"), nullptr);
  const auto lines = detail::decode_error_backtrace(job.fields().at("error_backtrace").as_string());
  ASSERT_FALSE(lines.empty());
  bool found = false;
  for (const auto& line : lines) found = found || line.find("throw_from_deep_inside") != std::string::npos;
  EXPECT_TRUE(found) << "the frame that threw is in the backtrace:\n" << lines.front();
}

TEST_F(BacktraceTest, ALineCountKeepsThatManyLines) {
  const Job job = failed_job(R"({"class":"Deep","args":[],"backtrace":2})");
  EXPECT_EQ(detail::decode_error_backtrace(job.fields().at("error_backtrace").as_string()).size(), 2U);
}

TEST_F(BacktraceTest, NoBacktraceUnlessAsked) {
  EXPECT_EQ(failed_job(R"({"class":"Deep","args":[]})").find("error_backtrace"), nullptr);
  EXPECT_EQ(failed_job(R"({"class":"Deep","args":[],"backtrace":false})").find("error_backtrace"), nullptr);
}

}  // namespace errand::backtrace_test
