// The heartbeat on Redis: what Sidekiq's Web UI and API read about a process.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "redis_fixture.hpp"

#include <atomic>
#include <unistd.h>

namespace errand::heartbeat_test {

class HeartbeatTest : public test::RedisTest {
 protected:
  ProcessorOptions options() {
    ProcessorOptions o;
    o.concurrency = 3;
    o.queues = {"critical", "default"};
    o.logger = null_logger();
    o.heartbeat_interval = std::chrono::milliseconds(50);
    o.poll_interval_average = std::chrono::milliseconds(50);
    o.tag = "billing";
    o.labels = {"canary"};
    return o;
  }
  std::map<std::string, std::string> hash(const std::string& key) {
    const auto flat = strings(raw->run({"HGETALL", key}));
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) out[flat[i]] = flat[i + 1];
    return out;
  }
};

TEST_F(HeartbeatTest, RegistersTheProcessAsSidekiqDoes) {
  Processor processor(store, options());
  processor.register_handler("Job", [](const Job&, Context&) {});
  processor.start();
  const std::string id = processor.identity();
  ASSERT_TRUE(test::eventually([&] { return members("processes") == std::vector<std::string>{id}; }));
  const auto process = hash(id);
  const json::object info = parse_json(process.at("info")).as_object();
  EXPECT_EQ(info.at("pid").as_int64(), getpid());
  EXPECT_EQ(info.at("concurrency").as_int64(), 3);
  EXPECT_EQ(to_json(info.at("queues")), R"(["critical","default"])");
  EXPECT_EQ(info.at("tag"), json::value("billing"));
  EXPECT_EQ(to_json(info.at("labels")), R"(["canary"])");
  EXPECT_EQ(info.at("identity"), json::value(id));
  EXPECT_TRUE(info.at("started_at").is_double());
  EXPECT_EQ(process.at("busy"), "0");
  EXPECT_EQ(process.at("quiet"), "false");
  EXPECT_GT(std::stod(process.at("beat")), 1.6e9);
  EXPECT_GT(raw->run({"TTL", id}).as_integer(), 50);
  EXPECT_EQ(id.substr(id.rfind(':') + 1).size(), 12U);

  processor.quiet();
  ASSERT_TRUE(test::eventually([&] { return hash(id).at("quiet") == "true"; }));
  processor.stop();
  EXPECT_TRUE(members("processes").empty()) << "a stopped process leaves the registry";
}

TEST_F(HeartbeatTest, BusyJobsAreListedForSidekiq6And65) {
  Processor processor(store, options());
  std::atomic<bool> release{false};
  processor.register_handler("Slow", [&](const Job&, Context&) {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  processor.start();
  const auto jid = Client{store}.enqueue_raw("Slow", "critical", json::array{1});
  const std::string id = processor.identity();
  ASSERT_TRUE(test::eventually([&] { return hash(id + ":workers").size() == 1; }));
  for (const std::string suffix : {":workers", ":work"}) {
    const auto busy = hash(id + suffix);
    ASSERT_EQ(busy.size(), 1U) << suffix;
    const json::object entry = parse_json(busy.begin()->second).as_object();
    EXPECT_EQ(entry.at("queue"), json::value("critical"));
    ASSERT_TRUE(entry.at("payload").is_string()) << "Sidekiq embeds the payload as a string";
    EXPECT_EQ(Job::parse(entry.at("payload").as_string()).jid(), *jid);
    EXPECT_TRUE(entry.at("run_at").is_int64());
  }
  EXPECT_EQ(hash(id).at("busy"), "1");
  release = true;
  processor.stop();
  EXPECT_EQ(raw->run({"EXISTS", id + ":workers"}).as_integer(), 0);
}

TEST_F(HeartbeatTest, StatsCountersAndDailyKeys) {
  Processor processor(store, options());
  processor.register_handler("Ok", [](const Job&, Context&) {});
  processor.register_handler("Bad", [](const Job&, Context&) { throw std::runtime_error("no"); });
  processor.start();
  Client client{store};
  for (int i = 0; i < 4; ++i) (void)client.enqueue_raw("Ok", "default", {});
  (void)client.enqueue_raw("Bad", "default", {});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 5; }));
  processor.stop();
  EXPECT_EQ(raw->run({"GET", "stat:processed"}).text(), "5");
  EXPECT_EQ(raw->run({"GET", "stat:failed"}).text(), "1");
  const auto keys = strings(raw->run({"KEYS", "stat:processed:*"}));
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].size(), std::string("stat:processed:2026-11-23").size());
  EXPECT_EQ(raw->run({"GET", keys[0]}).text(), "5");
  EXPECT_GT(raw->run({"TTL", keys[0]}).as_integer(), 157'000'000);
  EXPECT_EQ(test::admin(*store).stats().processed, 5);
}

TEST_F(HeartbeatTest, SignalsFromTheWebUiQuietAndStop) {
  Processor processor(store, options());
  std::atomic<int> runs{0};
  processor.register_handler("Job", [&](const Job&, Context&) { ++runs; });
  std::thread runner([&] { processor.run_until_signal(); });
  ASSERT_TRUE(test::eventually([&] { return !members("processes").empty(); }));
  const std::string id = processor.identity();

  raw->run({"LPUSH", id + "-signals", "TSTP"});  // the Web UI's "Quiet" button
  ASSERT_TRUE(test::eventually([&] { return hash(id).at("quiet") == "true"; }));
  (void)Client{store}.enqueue_raw("Job", "default", {});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(runs.load(), 0) << "a quiet process takes no new jobs";

  raw->run({"LPUSH", id + "-signals", "TERM"});  // the "Stop" button
  runner.join();
  EXPECT_TRUE(members("processes").empty());
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1);
}

TEST_F(HeartbeatTest, ThePollerMovesDueJobsAtomicallyToTheirQueues) {
  const double past = epoch_seconds(Clock::now()) - 10;
  raw->run({"ZADD", "schedule", format_double(past), R"({"class":"Job","args":[1],"queue":"critical","jid":"a"})"});
  raw->run({"ZADD", "retry", format_double(past), R"({"class":"Job","args":[2],"jid":"b","retry_count":0})"});
  raw->run({"ZADD", "schedule", format_double(past + 3600), R"({"class":"Job","args":[3],"jid":"c"})"});
  raw->run({"ZADD", "schedule", format_double(past), "not json"});
  EXPECT_EQ(store->job_schedule_due({Clock::now(), 100}), 3U);
  EXPECT_EQ(list("queue:critical").size(), 1U);
  EXPECT_EQ(list("queue:default").size(), 2U);  // the retry, and the unreadable one (it dies when run)
  EXPECT_EQ(zset("schedule").size(), 1U);       // not due yet
  EXPECT_TRUE(zset("retry").empty());
  EXPECT_EQ(members("queues"), (std::vector<std::string>{"critical", "default"}));
}

}  // namespace errand::heartbeat_test
