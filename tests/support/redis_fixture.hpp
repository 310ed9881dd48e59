// A fresh test database and a raw connection for each Redis test.
#pragma once

#include <errand/redis.hpp>

#include "test_env.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <unistd.h>
#include <string>
#include <vector>

namespace errand::test {

class RedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    flush_redis();
    raw = raw_redis();
    store = connect_redis(redis_options());
  }

  std::vector<std::string> strings(const redis::Reply& reply) {
    std::vector<std::string> out;
    for (const auto& e : reply.elements()) out.push_back(e.text());
    return out;
  }
  /// LRANGE key 0 -1, head (newest) first.
  std::vector<std::string> list(const std::string& key) { return strings(raw->run({"LRANGE", key, "0", "-1"})); }
  std::vector<std::string> members(const std::string& key) {
    auto m = strings(raw->run({"SMEMBERS", key}));
    std::sort(m.begin(), m.end());
    return m;
  }
  /// ZRANGE key 0 -1 WITHSCORES as (member, score) pairs.
  std::vector<std::pair<std::string, double>> zset(const std::string& key) {
    const auto flat = strings(raw->run({"ZRANGE", key, "0", "-1", "WITHSCORES"}));
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace_back(flat[i], std::stod(flat[i + 1]));
    return out;
  }
  /// The commands (name and arguments) sent to this test's database while `action` ran,
  /// as MONITOR reports them. Other tests' databases are filtered out.
  std::vector<std::string> commands_during(const std::function<void()>& action) {
    redis::Connection monitor(redis_options());
    redis::Commands start;
    start.add({"MONITOR"});
    (void)monitor.execute(start);
    action();
    const std::string marker = "errand-monitor-end-" + std::to_string(::getpid());
    raw->run({"ECHO", marker});
    const std::string db_tag = "[" + std::to_string(redis_options().db) + " ";
    std::vector<std::string> seen;
    for (;;) {
      const std::string line = monitor.receive(1, std::chrono::seconds(5)).front().text();
      if (line.find(marker) != std::string::npos) break;
      const auto tag = line.find(db_tag);
      if (tag == std::string::npos) continue;
      seen.push_back(line.substr(line.find(']', tag) + 2));  // "\"SADD\" \"queues\" \"default\""
    }
    return seen;
  }
  /// The command names in `commands` (from commands_during), upper case.
  static std::vector<std::string> names(const std::vector<std::string>& commands) {
    std::vector<std::string> out;
    for (const auto& c : commands) out.push_back(c.substr(1, c.find('"', 1) - 1));
    return out;
  }

  std::unique_ptr<redis::Connection> raw;
  std::shared_ptr<Store> store;
};

}  // namespace errand::test
