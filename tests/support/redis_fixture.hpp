// A fresh test database and a raw connection for each Redis test.
#pragma once

#include <errand/redis.hpp>

#include "test_env.hpp"

#include <gtest/gtest.h>

#include <map>
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
  /// Calls per command since the last reset_command_stats(), from INFO commandstats.
  std::map<std::string, long> command_calls() {
    std::map<std::string, long> calls;
    const std::string info = raw->run({"INFO", "commandstats"}).text();
    std::size_t at = 0;
    while ((at = info.find("cmdstat_", at)) != std::string::npos) {
      const auto colon = info.find(':', at);
      const auto calls_at = info.find("calls=", colon) + 6;
      calls[info.substr(at + 8, colon - at - 8)] = std::stol(info.substr(calls_at));
      at = colon;
    }
    calls.erase("info");
    calls.erase("config|resetstat");
    return calls;
  }
  void reset_command_stats() { raw->run({"CONFIG", "RESETSTAT"}); }

  std::unique_ptr<redis::Connection> raw;
  std::shared_ptr<Store> store;
};

}  // namespace errand::test
