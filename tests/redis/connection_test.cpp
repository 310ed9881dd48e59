#include <errand/error.hpp>

#include "redis_fixture.hpp"

namespace errand::connection_test {

class ConnectionTest : public test::RedisTest {};

TEST_F(ConnectionTest, PipelinesManyCommandsInOneWrite) {
  redis::Commands commands;
  for (int i = 0; i < 1000; ++i) commands.add({"RPUSH", "pipelined", std::to_string(i)});
  const auto replies = raw->execute(commands);
  ASSERT_EQ(replies.size(), 1000U);
  EXPECT_EQ(replies.back().as_integer(), 1000);
}

TEST_F(ConnectionTest, ValuesAreBinarySafe) {
  const std::string value("a\0b\r\n", 5);
  raw->run({"SET", "bin", value});
  EXPECT_EQ(raw->run({"GET", "bin"}).text(), value);
  EXPECT_TRUE(raw->run({"GET", "missing"}).is_nil());
}

TEST_F(ConnectionTest, ErrorRepliesAreReturnedInAPipelineAndThrownByRun) {
  redis::Commands commands;
  commands.add({"SET", "k", "v"});
  commands.add({"LPUSH", "k", "x"});  // WRONGTYPE
  commands.add({"GET", "k"});
  const auto replies = raw->execute(commands);
  EXPECT_TRUE(replies[1].is_error());
  EXPECT_EQ(replies[2].text(), "v");
  EXPECT_THROW(raw->run({"LPUSH", "k", "x"}), StoreError);
  EXPECT_TRUE(raw->usable());
}

TEST_F(ConnectionTest, TimeoutBreaksTheConnectionWithAClearError) {
  RedisOptions options = test::redis_options();
  options.command_timeout = std::chrono::milliseconds(100);
  redis::Connection c(options);
  try {
    c.run({"BLPOP", "nothing-here", "5"});
    FAIL() << "expected a timeout";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(c.usable());
  EXPECT_THROW(c.run({"PING"}), ConnectionError);
}

TEST_F(ConnectionTest, BadDatabaseNumberIsAClearError) {
  RedisOptions options = test::redis_options();
  options.db = 999;
  try {
    redis::Connection c(options);
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("DB index is out of range"), std::string::npos) << e.what();
  }
}

}  // namespace errand::connection_test
