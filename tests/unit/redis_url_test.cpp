#include <errand/error.hpp>
#include <errand/redis.hpp>
#include <errand/store.hpp>

#include <gtest/gtest.h>

namespace errand {
namespace {

TEST(RedisUrl, ParsesAllParts) {
  const auto o = RedisOptions::from_url("redis://app:s%40cret@cache.local:6380/3");
  EXPECT_EQ(o.username, "app");
  EXPECT_EQ(o.password, "s@cret");
  EXPECT_EQ(o.host, "cache.local");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 3);
}

TEST(RedisUrl, Defaults) {
  const auto o = RedisOptions::from_url("redis://");
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 6379);
  EXPECT_EQ(o.db, 0);
  EXPECT_EQ(RedisOptions::from_url("redis://h").host, "h");
  EXPECT_EQ(RedisOptions::from_url("redis://:pw@h/").password, "pw");
  EXPECT_EQ(RedisOptions::from_url("redis://pw@h").password, "pw");
  EXPECT_EQ(RedisOptions::from_url("redis://[::1]:7000/2").host, "::1");
}

TEST(RedisUrl, RejectsMalformedUrls) {
  EXPECT_THROW((void)RedisOptions::from_url("http://localhost"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://h:port"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://h:70000"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://h/db"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://h:6379/-1"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://h/0?ssl=true"), ConfigError);
  EXPECT_THROW((void)RedisOptions::from_url("redis://u:%zz@h"), ConfigError);
}

TEST(Connect, RejectsUnknownSchemes) {
  EXPECT_THROW((void)connect("mysql://x"), ConfigError);
  EXPECT_EQ(connect("memory://")->name(), "memory");
}

TEST(Connect, UnreachableRedisIsAClearConnectionError) {
  RedisOptions options = RedisOptions::from_url("redis://127.0.0.1:1/0");  // nothing listens on port 1
  try {
    (void)connect_redis(options);
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_NE(std::string(e.what()).find("redis://127.0.0.1:1/0"), std::string::npos) << e.what();
    EXPECT_TRUE(e.is_retryable());
  }
}

}  // namespace
}  // namespace errand
