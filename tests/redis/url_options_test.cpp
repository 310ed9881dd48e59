// The store settings a redis:// URL carries, on a real Redis: the key namespace and the
// sizes of the enqueue and fetch pools.
#include <errand/client.hpp>
#include <errand/error.hpp>

#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace errand::redis_url_options_test {
namespace {

using ::testing::HasSubstr;

class RedisUrlOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { test::flush_redis(); }

  /// The ids of the clients connected to the test database, above `after`.
  std::vector<std::int64_t> clients_after(std::int64_t after) {
    std::vector<std::int64_t> ids;
    std::istringstream lines(raw->run({"CLIENT", "LIST"}).text());
    const std::string db = " db=" + std::to_string(test::redis_options().db) + " ";
    for (std::string line; std::getline(lines, line);) {
      const std::int64_t id = std::stoll(line.substr(line.find("id=") + 3));
      if (id > after && line.find(db) != std::string::npos) ids.push_back(id);
    }
    return ids;
  }

  std::unique_ptr<redis::Connection> raw = test::raw_redis();
};

TEST_F(RedisUrlOptionsTest, TheNamespacePrefixesEveryKey) {
  const auto store = connect(test::redis_url() + "?namespace=tenant-a");
  (void)Client{store}.enqueue_raw("Job", "default", json::array{1});
  EXPECT_EQ(raw->run({"LLEN", "tenant-a:queue:default"}).as_integer(), 1);
  EXPECT_EQ(raw->run({"SISMEMBER", "tenant-a:queues", "default"}).as_integer(), 1);
  EXPECT_EQ(raw->run({"EXISTS", "queue:default"}).as_integer(), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1);
}

TEST_F(RedisUrlOptionsTest, PoolSizeCapsTheConnectionsOfConcurrentEnqueues) {
  const std::int64_t before = raw->client_id().value();
  const auto store = connect(test::redis_url() + "?pool_size=2");
  Client client{store};
  std::vector<std::jthread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&client] {
      for (int i = 0; i < 50; ++i) (void)client.enqueue_raw("Job", "default", json::array{i});
    });
  }
  threads.clear();
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 400);
  const auto opened = clients_after(before);
  EXPECT_GE(opened.size(), 1U);
  EXPECT_LE(opened.size(), 2U) << "pool_size=2, and nothing fetched";
}

TEST_F(RedisUrlOptionsTest, AFetchPoolSmallerThanTheQueuesToWaitOnIsAClearError) {
  const auto store = connect(test::redis_url() + "?fetch_pool_size=1");
  JobFetchParams params;
  params.queues = {"a", "b"};
  params.wait = std::chrono::milliseconds(100);
  params.owner = "url-options-test:1:0";
  try {
    (void)store->job_fetch(params);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("raise fetch_pool_size"));
  }
  params.queues = {"a"};
  EXPECT_TRUE(store->job_fetch(params).empty()) << "one queue, one connection";
}

}  // namespace
}  // namespace errand::redis_url_options_test
