// The client on Redis: exactly Sidekiq's commands and keys.
#include <errand/client.hpp>

#include "redis_fixture.hpp"

namespace errand::redis_client_test {

struct Welcome : Worker<Welcome> {
  static constexpr std::string_view class_name = "WelcomeWorker";
  void perform(std::int64_t /*user_id*/) {}
};

class RedisClientTest : public test::RedisTest {};

TEST_F(RedisClientTest, EnqueueIsOneSaddAndOneLpush) {
  Client client{store};
  (void)client.enqueue<Welcome>(1);  // warm the connection pool
  test::flush_redis();
  std::optional<std::string> jid;
  const auto commands = commands_during([&] { jid = client.enqueue<Welcome>(42); });
  EXPECT_EQ(names(commands), (std::vector<std::string>{"SADD", "LPUSH"}));
  EXPECT_EQ(commands.at(0), R"("SADD" "queues" "default")");
  EXPECT_EQ(members("queues"), std::vector<std::string>{"default"});
  const auto jobs = list("queue:default");
  ASSERT_EQ(jobs.size(), 1U);
  const Job job = Job::parse(jobs[0]);
  EXPECT_EQ(job.jid(), *jid);
  EXPECT_EQ(to_json(job.args()), "[42]");
}

TEST_F(RedisClientTest, BulkIsOneVariadicLpushAndRunsInOrder) {
  Client client{store};
  (void)client.enqueue<Welcome>(0);
  test::flush_redis();
  std::vector<std::string> jids;
  const auto commands = commands_during([&] { jids = client.enqueue_bulk<Welcome>({{1}, {2}, {3}}); });
  EXPECT_EQ(names(commands), (std::vector<std::string>{"SADD", "LPUSH"}));
  const auto jobs = list("queue:default");
  ASSERT_EQ(jobs.size(), 3U);
  EXPECT_EQ(Job::parse(jobs.back()).jid(), jids.front());  // the tail runs first
}

// A batch for several keys is one EVALSHA: the script checks the type of every key it
// will write (Redis has no rollback), then writes Sidekiq's commands.
TEST_F(RedisClientTest, ABulkForSeveralKeysIsOneScriptOfSidekiqsWrites) {
  Client client{store};
  const auto welcome_on = [](std::string queue) {
    return Job(json::object{{"class", "Welcome"}, {"args", json::array{0}}, {"queue", std::move(queue)}});
  };
  (void)client.push_bulk({welcome_on("a"), welcome_on("b")});  // loads the script (SCRIPT LOAD)
  test::flush_redis();
  std::vector<Job> batch;
  for (const std::string queue : {"default", "mail", "default"}) {
    batch.emplace_back(json::object{{"class", "Welcome"}, {"args", json::array{1}}, {"queue", queue}});
  }
  batch.emplace_back(json::object{{"class", "Welcome"}, {"args", json::array{2}}, {"at", 4'000'000'000.0}});
  const auto commands = commands_during([&] { (void)client.push_bulk(std::move(batch)); });
  EXPECT_EQ(names(commands), (std::vector<std::string>{"EVALSHA", "TYPE", "TYPE", "TYPE", "TYPE", "SADD", "LPUSH",
                                                       "LPUSH", "ZADD"}));
  EXPECT_EQ(commands.at(5), R"("SADD" "queues" "default" "mail")");
  EXPECT_EQ(list("queue:default").size(), 2U);
  EXPECT_EQ(list("queue:mail").size(), 1U);
  EXPECT_EQ(zset("schedule").size(), 1U);
}

TEST_F(RedisClientTest, ScheduledJobsLandInTheScheduleWithTheirRunAtAsScore) {
  Client client{store};
  const double expected = epoch_seconds(Clock::now() + std::chrono::minutes(90));
  (void)client.enqueue_in<Welcome>(std::chrono::minutes(90), 7);
  const auto entries = zset("schedule");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_NEAR(entries[0].second, expected, 1.0);
  const Job job = Job::parse(entries[0].first);
  EXPECT_EQ(job.find("at"), nullptr);
  EXPECT_EQ(job.find("enqueued_at"), nullptr);
  EXPECT_EQ(to_json(job.args()), "[7]");
  EXPECT_TRUE(list("queue:default").empty());
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 1);
}

TEST_F(RedisClientTest, NamespacePrefixesEveryKey) {
  RedisOptions options = test::redis_options();
  options.key_namespace = "myapp";
  Client client{connect_redis(options)};
  (void)client.enqueue<Welcome>(1);
  (void)client.enqueue_in<Welcome>(std::chrono::hours(1), 2);
  EXPECT_EQ(members("myapp:queues"), std::vector<std::string>{"default"});  // members are not prefixed
  EXPECT_EQ(list("myapp:queue:default").size(), 1U);
  EXPECT_EQ(zset("myapp:schedule").size(), 1U);
  EXPECT_TRUE(list("queue:default").empty());
}

TEST_F(RedisClientTest, HostileQueueNamesAreJustKeys) {
  Client client{store};
  for (const std::string name : {"' OR 1=1; --", "ünïcødé", "a:b:c", "*", "{x}"}) {
    (void)client.with({.queue = name}).enqueue<Welcome>(1);
    EXPECT_EQ(list("queue:" + name).size(), 1U) << name;
    EXPECT_EQ(test::admin(*store).queue_size({name}), 1) << name;
  }
  EXPECT_EQ(test::admin(*store).queue_names().size(), 5U);
}

}  // namespace errand::redis_client_test
