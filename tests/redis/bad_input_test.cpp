// Bad input on a real Redis: each case ends in the dead or retry set with a clear
// error, and the processor keeps going.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "redis_fixture.hpp"

#include <atomic>

namespace errand::bad_input_test {

struct Typed : Worker<Typed> {
  static constexpr std::string_view class_name = "Typed";
  void perform(std::int64_t /*id*/, const std::string& /*email*/) {}
};

using test::CapturingLogger;

class BadInputTest : public test::RedisTest {
 protected:
  std::shared_ptr<CapturingLogger> logger = std::make_shared<CapturingLogger>();
  std::atomic<int> good_runs{0};

  /// Pushes `payload` raw, then a good job, and runs until the good job is done.
  void run_with(const std::string& payload) {
    raw->run({"LPUSH", "queue:default", payload});
    raw->run({"SADD", "queues", "default"});
    ProcessorOptions options;
    options.concurrency = 1;
    options.logger = logger;
    Processor processor(store, options);
    processor.register_worker<Typed>();
    processor.register_handler("Good", [this](const Job&, Context&) { ++good_runs; });
    processor.start();
    Client{store}.enqueue_raw("Good", "default", {});
    ASSERT_TRUE(test::eventually([&] { return good_runs.load() == 1; }));
    processor.stop();
    EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  }

  Job only_retry() {
    const auto entries = zset("retry");
    EXPECT_EQ(entries.size(), 1U);
    return Job::parse(entries.at(0).first);
  }
};

TEST_F(BadInputTest, NonJsonGoesToTheDeadSetVerbatim) {
  const std::string garbage = "not json at all {";
  run_with(garbage);
  const auto dead = zset("dead");
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead[0].first, garbage);
  EXPECT_TRUE(logger->contains("unreadable job: ") && logger->contains("moved to the dead set as it was fetched"));
}

TEST_F(BadInputTest, TruncatedJsonGoesToTheDeadSet) {
  const std::string truncated = R"({"class":"Typed","args":[1,"a@b.c"],"jid":"abc)";
  run_with(truncated);
  ASSERT_EQ(zset("dead").size(), 1U);
  EXPECT_EQ(zset("dead")[0].first, truncated);
}

TEST_F(BadInputTest, JsonThatIsNotAnObjectGoesToTheDeadSet) {
  run_with("[1,2,3]");
  ASSERT_EQ(zset("dead").size(), 1U);
}

TEST_F(BadInputTest, MissingClassIsRetriedWithTheErrorRecorded) {
  run_with(R"({"args":[],"jid":"0123456789abcdef01234567","retry":true})");
  const Job job = only_retry();
  EXPECT_EQ(job.fields().at("error_class"), json::value("errand::PayloadError"));
  EXPECT_NE(std::string(job.fields().at("error_message").as_string()).find("no string \"class\""), std::string::npos);
}

TEST_F(BadInputTest, UnknownClassIsRetriedWithAHelpfulMessage) {
  run_with(R"({"class":"Nobody::Knows","args":[1],"jid":"0123456789abcdef01234567","retry":true})");
  const Job job = only_retry();
  EXPECT_EQ(job.fields().at("error_class"), json::value("errand::UnknownWorkerError"));
  const std::string message(job.fields().at("error_message").as_string());
  EXPECT_NE(message.find("unknown job class \"Nobody::Knows\""), std::string::npos) << message;
  EXPECT_NE(message.find("register"), std::string::npos) << message;
  EXPECT_TRUE(logger->contains("Nobody::Knows"));
}

TEST_F(BadInputTest, WrongArgTypesAreRetriedAsArgumentError) {
  run_with(R"({"class":"Typed","args":["not a number","x"],"jid":"0123456789abcdef01234567","retry":true})");
  const Job job = only_retry();
  EXPECT_EQ(job.fields().at("error_class"), json::value("errand::ArgumentError"));
  EXPECT_EQ(job.fields().at("error_message"),
            json::value("errand: job Typed (jid 0123456789abcdef01234567): argument 0: expected integer, got string "
                        "\"not a number\""));
}

TEST_F(BadInputTest, WrongArityIsRetriedAsArgumentError) {
  run_with(R"({"class":"Typed","args":[1],"jid":"0123456789abcdef01234567","retry":true})");
  EXPECT_EQ(only_retry().fields().at("error_class"), json::value("errand::ArgumentError"));
}

TEST_F(BadInputTest, ArgsThatAreNotAnArrayAreRetried) {
  run_with(R"({"class":"Typed","args":{"id":1},"jid":"0123456789abcdef01234567","retry":true})");
  EXPECT_EQ(only_retry().fields().at("error_class"), json::value("errand::PayloadError"));
}

TEST_F(BadInputTest, UnknownFieldsSurviveTheRetryRewrite) {
  run_with(R"({"class":"Nobody","args":[],"jid":"0123456789abcdef01234567","retry":true,"bid":"b-9","wrapped":"X","cattr":{"u":1}})");
  const Job job = only_retry();
  EXPECT_EQ(job.fields().at("bid"), json::value("b-9"));
  EXPECT_EQ(job.fields().at("wrapped"), json::value("X"));
  EXPECT_EQ(to_json(job.fields().at("cattr")), R"({"u":1})");
}

}  // namespace errand::bad_input_test
