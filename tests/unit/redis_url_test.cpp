#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/redis.hpp>
#include <errand/store.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

TEST(RedisUrl, RedissTurnsOnTlsWithVerification) {
  EXPECT_FALSE(RedisOptions::from_url("redis://h").tls.enabled);
  const auto o = RedisOptions::from_url("rediss://:pw@cache.example.com:6380/1");
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_TRUE(o.tls.verify_peer);
  EXPECT_EQ(o.host, "cache.example.com");
  EXPECT_EQ(o.port, 6380);
  EXPECT_EQ(o.db, 1);
  EXPECT_EQ(o.password, "pw");
  EXPECT_TRUE(o.tls.ca_file.empty()) << "the system's CAs";
}

TEST(RedisUrl, ReadsRedisPysTlsParameters) {
  const auto o = RedisOptions::from_url(
      "rediss://h/0?ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/c.key&ssl_cert_reqs=required");
  EXPECT_EQ(o.tls.ca_file, "/etc/ca dir/ca.pem");
  EXPECT_EQ(o.tls.cert_file, "/c.pem");
  EXPECT_EQ(o.tls.key_file, "/c.key");
  EXPECT_TRUE(o.tls.verify_peer);
  for (const char* off : {"rediss://h?ssl_cert_reqs=none", "rediss://h?ssl_cert_reqs=CERT_NONE", "rediss://h/0#insecure"}) {
    EXPECT_FALSE(RedisOptions::from_url(off).tls.verify_peer) << off;
  }
}

TEST(RedisUrl, ReadsTheNamespaceAndPoolSizes) {
  const auto o = RedisOptions::from_url("redis://h/0?namespace=my%3Aapp&pool_size=12&fetch_pool_size=3");
  EXPECT_EQ(o.key_namespace, "my:app");
  EXPECT_EQ(o.pool_size, 12U);
  EXPECT_EQ(o.fetch_pool_size, 3U);
  const auto defaults = RedisOptions::from_url("redis://h");
  EXPECT_EQ(defaults.key_namespace, "");
  EXPECT_EQ(defaults.pool_size, 5U);
  EXPECT_EQ(defaults.fetch_pool_size, 64U);
}

TEST(RedisUrl, ParameterErrorsSayWhatToDo) {
  const auto error_of = [](const char* url) -> std::string {
    try {
      (void)RedisOptions::from_url(url);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error for " << url;
    return {};
  };
  using ::testing::HasSubstr;
  EXPECT_THAT(error_of("redis://h/0?ssl_ca_certs=/ca.pem"), HasSubstr("start it with rediss://"));
  EXPECT_THAT(error_of("rediss://h/0?ssl_certfile=/c.pem"), HasSubstr("give both or neither"));
  EXPECT_THAT(error_of("rediss://h/0?ssl_cert_reqs=optional"), HasSubstr("use required"));
  EXPECT_THAT(error_of("redis://h/0?pool_size=0"), HasSubstr("give 1 to 10000"));
  EXPECT_THAT(error_of("redis://h/0?namespace=a&namespace=b"), HasSubstr("given twice"));
  EXPECT_THAT(error_of("redis://h/0?ssl=true"), HasSubstr("unknown parameter \"ssl\""));
  EXPECT_THAT(error_of("redis://h/0#insecure"), HasSubstr("#insecure, with rediss://"));
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

/// A TCP port on 127.0.0.1 whose listener never answers: the kernel accepts the
/// connection, nobody reads it. Closed when destroyed.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);  // NOLINT: the sockets API
    if (::bind(fd_, generic, length) != 0 || ::listen(fd_, 8) != 0 || ::getsockname(fd_, generic, &length) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  ~SilentListener() { ::close(fd_); }
  [[nodiscard]] int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// A store timeout is a public type an application can catch by name, as is a SQL error
// (tests/postgres/transaction_test.cpp).
TEST(Connect, AServerThatDoesNotAnswerIsATimeoutErrorByName) {
  SilentListener silent;
  RedisOptions options = RedisOptions::from_url("redis://127.0.0.1:" + std::to_string(silent.port()) + "/0");
  options.command_timeout = std::chrono::milliseconds(100);
  try {
    (void)Client{connect_redis(options)}.enqueue_raw("W", "default", {1});
    FAIL() << "expected errand::TimeoutError";
  } catch (const TimeoutError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("timed out"));
    EXPECT_TRUE(e.is_retryable());
  }
}

}  // namespace
}  // namespace errand
