// The client against the memory store: payload shape, options, scheduling, bulk.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>

#include "kit/forwarding_store.hpp"
#include "test_env.hpp"

#include <gtest/gtest.h>

namespace errand::client_test {

struct Welcome : Worker<Welcome> {
  static constexpr std::string_view class_name = "WelcomeWorker";
  void perform(std::int64_t /*user_id*/, const std::string& /*email*/) {}
};

struct Report : Worker<Report> {
  static constexpr std::string_view class_name = "ReportWorker";
  static JobOptions options() {
    return {.queue = "reports", .retry = 3, .backtrace = 10, .retry_queue = "slow", .dead = false, .tags = {"t1"}};
  }
  void perform(int /*year*/) {}
};

class ClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<Store> store = make_memory_store();
  Client client{store};

  Job only_job(std::string_view queue = "default") {
    auto jobs = memory_queue_contents(*store, queue);
    EXPECT_EQ(jobs.size(), 1U);
    return Job::parse(jobs.at(0));
  }
};

TEST_F(ClientTest, EnqueueWritesSidekiqsFieldsInRubysOrder) {
  const auto jid = client.enqueue<Welcome>(42, "a@b.c");
  ASSERT_TRUE(jid);
  const Job job = only_job();
  std::vector<std::string> keys;
  for (const auto& member : job.fields()) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"retry", "queue", "args", "class", "jid", "created_at", "enqueued_at"}));
  EXPECT_EQ(job.fields().at("retry"), json::value(true));
  EXPECT_EQ(job.class_name(), "WelcomeWorker");
  EXPECT_EQ(to_json(job.args()), R"([42,"a@b.c"])");
  EXPECT_EQ(job.jid(), *jid);
  EXPECT_TRUE(job.fields().at("created_at").is_double());
  EXPECT_TRUE(job.fields().at("enqueued_at").is_double());
  EXPECT_EQ(test::admin(*store).queue_names(), std::vector<std::string>{"default"});
}

TEST_F(ClientTest, WorkerOptionsAndOverrides) {
  (void)client.enqueue<Report>(2026);
  const Job job = only_job("reports");
  EXPECT_EQ(to_json(job.fields().at("retry")), "3");
  EXPECT_EQ(to_json(job.fields().at("backtrace")), "10");
  EXPECT_EQ(job.fields().at("retry_queue"), json::value("slow"));
  EXPECT_EQ(job.fields().at("dead"), json::value(false));
  EXPECT_EQ(to_json(job.fields().at("tags")), R"(["t1"])");

  (void)client.with({.queue = "critical", .retry = false}).enqueue<Report>(2027);
  const Job overridden = only_job("critical");
  EXPECT_EQ(overridden.fields().at("retry"), json::value(false));
  EXPECT_EQ(overridden.fields().at("retry_queue"), json::value("slow"));  // not overridden: kept
}

/// The memory store, declaring that its jobs are in Sidekiq 8's format.
class Sidekiq8Store final : public detail::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  [[nodiscard]] SidekiqVersion sidekiq_version() const noexcept override { return SidekiqVersion::v8; }
};

TEST_F(ClientTest, Sidekiq8WritesIntegerMilliseconds) {
  Client v8{std::make_shared<Sidekiq8Store>(store)};
  (void)v8.enqueue<Welcome>(1, "x");
  const Job job = only_job();
  ASSERT_TRUE(job.fields().at("created_at").is_int64());
  EXPECT_GT(job.fields().at("created_at").get_int64(), 1'600'000'000'000);
}

TEST_F(ClientTest, EnqueueInGoesToTheScheduleWithoutAtOrEnqueuedAt) {
  const TimePoint before = Clock::now();
  (void)client.enqueue_in<Welcome>(std::chrono::hours(1), 1, "x");
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  const auto entries = test::admin(*store).set_list({JobSet::scheduled, 10});
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_GE(entries[0].at, before + std::chrono::hours(1) - std::chrono::seconds(1));
  EXPECT_LE(entries[0].at, Clock::now() + std::chrono::hours(1));
  const Job job = Job::parse(entries[0].payload);
  EXPECT_EQ(job.find("at"), nullptr);
  EXPECT_EQ(job.find("enqueued_at"), nullptr);
  EXPECT_NE(job.find("created_at"), nullptr);
}

TEST_F(ClientTest, EnqueueAtInThePastRunsNow) {
  (void)client.enqueue_at<Welcome>(Clock::now() - std::chrono::minutes(1), 1, "x");
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
  const Job job = only_job();
  EXPECT_EQ(job.find("at"), nullptr);
  EXPECT_NE(job.find("enqueued_at"), nullptr);
}

TEST_F(ClientTest, BulkGivesEachJobItsOwnJid) {
  const auto jids = client.enqueue_bulk<Welcome>({{1, "a"}, {2, "b"}, {3, "c"}});
  ASSERT_EQ(jids.size(), 3U);
  const auto jobs = memory_queue_contents(*store, "default");
  ASSERT_EQ(jobs.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    const Job job = Job::parse(jobs[i]);  // first pushed runs first
    EXPECT_EQ(job.jid(), jids[i]);
    EXPECT_EQ(job.args().at(0).as_int64(), static_cast<std::int64_t>(i + 1));
  }
}

TEST_F(ClientTest, RawEnqueueAnyClass) {
  (void)client.enqueue_raw("Workers::RubyOnly", "ruby", json::array{1, "two", json::object{{"three", 3}}});
  const Job job = only_job("ruby");
  EXPECT_EQ(job.class_name(), "Workers::RubyOnly");
  EXPECT_EQ(to_json(job.args()), R"([1,"two",{"three":3}])");
}

TEST_F(ClientTest, RawEnqueueQueueWinsOverWith) {
  (void)client.with({.queue = "ignored"}).enqueue_raw("X", "given", {});
  EXPECT_EQ(test::admin(*store).queue_size({"given"}), 1);
  EXPECT_EQ(test::admin(*store).queue_size({"ignored"}), 0);
}

TEST_F(ClientTest, AtMustBeEpochSeconds) {
  const double ms = 1.7e12;  // milliseconds by mistake
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"at":)" + format_double(ms) + "}")),
               PayloadError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"at":-5})")), PayloadError);
}

TEST_F(ClientTest, PushNormalizesAndKeepsCallerFields) {
  Job job = Job::parse(R"({"class":"X","args":[],"bid":"b-1","jid":"fixedjid"})");
  EXPECT_EQ(client.push(job), "fixedjid");
  const Job stored = only_job();
  std::vector<std::string> keys;
  for (const auto& member : stored.fields()) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"retry", "queue", "class", "args", "bid", "jid", "created_at", "enqueued_at"}));
}

TEST_F(ClientTest, PushRejectsInvalidJobs) {
  EXPECT_THROW((void)client.push(Job::parse(R"({"args":[]})")), PayloadError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":"no"})")), PayloadError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"queue":""})")), ConfigError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"queue":"bad\nname"})")), ConfigError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"at":"soon"})")), PayloadError);
  EXPECT_THROW((void)client.push(Job::parse(R"({"class":"X","args":[],"tags":"t"})")), PayloadError);
  EXPECT_THROW((void)client.enqueue_raw("X", "default", json::array{std::nan("")}), PayloadError);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

TEST_F(ClientTest, MiddlewareCanModifyOrStopAPush) {
  client.use([](Job& job, const ClientNext& next) {
    job.set("tenant", "acme");
    next();
  });
  client.use([](Job& job, const ClientNext& next) {
    if (job.args().at(0).as_int64() == 13) return;  // unlucky: dropped
    next();
  });
  EXPECT_FALSE(client.enqueue<Welcome>(13, "x").has_value());
  EXPECT_TRUE(client.enqueue<Welcome>(14, "x").has_value());
  const Job job = only_job();
  EXPECT_EQ(job.fields().at("tenant"), json::value("acme"));
}

}  // namespace errand::client_test
