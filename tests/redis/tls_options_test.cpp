// TLS settings that contradict each other, refused before any connection: certificate
// checks asked for (ssl_ca_certs, ssl_cert_reqs=required, tls.ca-file,
// tls.verify-peer = true) and turned off (ssl_cert_reqs=none, #insecure,
// tls.verify-peer = false) at once, in a URL, a configuration or RedisOptions. Settings
// that agree still connect to a real TLS redis-server.
#include <errand/client.hpp>
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include "test_env.hpp"
#include "tls_redis_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand::redis_tls_options_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

/// The ConfigError `make` throws, or "accepted".
template <class Make>
std::string refusal(Make make) {
  try {
    make();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

std::string url_refusal(const std::string& url) {
  return refusal([&] { (void)RedisOptions::from_url(url); });
}

std::string config_refusal(const std::string& redis_section) {
  return refusal([&] {
    (void)Config::from_toml_string("[service.sidekiq.redis]\n" + redis_section, "errand.toml",
                                   Environment::from_map({}));
  });
}

TEST(RedisTlsOptions, AUrlThatAsksForChecksAndTurnsThemOffIsRefused) {
  EXPECT_THAT(url_refusal("rediss://:pw@cache:6380/0?ssl_cert_reqs=required#insecure"),
              AllOf(HasSubstr("#insecure turns the server's certificate checks off"),
                    HasSubstr("ssl_cert_reqs=required turns them on; keep one"), HasSubstr("rediss://:***@cache"),
                    Not(HasSubstr("pw"))));
  EXPECT_THAT(url_refusal("rediss://cache:6380/0?ssl_ca_certs=/etc/ca.pem&ssl_cert_reqs=none"),
              AllOf(HasSubstr("ssl_ca_certs names a CA"), HasSubstr("ssl_cert_reqs=none turns that check off"),
                    HasSubstr("keep one")));
  EXPECT_THAT(url_refusal("rediss://cache:6380/0?ssl_ca_certs=/etc/ca.pem#insecure"),
              AllOf(HasSubstr("ssl_ca_certs names a CA"), HasSubstr("#insecure turns that check off")));
  // Settings that agree are fine.
  EXPECT_EQ(url_refusal("rediss://cache:6380/0?ssl_cert_reqs=none#insecure"), "accepted");
  EXPECT_EQ(url_refusal("rediss://cache:6380/0?ssl_ca_certs=/etc/ca.pem&ssl_cert_reqs=required"), "accepted");
  EXPECT_FALSE(RedisOptions::from_url("rediss://cache:6380/0#insecure").tls.verify_peer);
}

TEST(RedisTlsOptions, AConfigurationThatAsksForChecksAndTurnsThemOffIsRefusedNamingBothKeys) {
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0\"\ntls.verify-peer = false\ntls.ca-file = \"/ca.pem\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.verify-peer is false"),
                    HasSubstr("errand.toml:4: service.sidekiq.redis.tls.ca-file names a CA"), HasSubstr("keep one")));
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0#insecure\"\ntls.verify-peer = true\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.verify-peer is true"),
                    HasSubstr("ends in #insecure"), HasSubstr("errand.toml:2: service.sidekiq.redis.uri")));
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0?ssl_cert_reqs=none\"\ntls.ca-file = \"/ca.pem\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.ca-file is set, naming a CA"),
                    HasSubstr("turns that check off")));
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0#insecure\"\ntls.ca-file = \"/ca.pem\"\n"),
              HasSubstr("errand.toml:3: service.sidekiq.redis.tls.ca-file is set, naming a CA"));
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0?ssl_ca_certs=/ca.pem\"\ntls.verify-peer = false\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.verify-peer is false"),
                    HasSubstr("names a CA to check it against (ssl_ca_certs)")));
  EXPECT_THAT(config_refusal("uri = \"rediss://cache:6380/0?ssl_cert_reqs=none\"\ntls.verify-peer = true\n"),
              HasSubstr("keep one"));
  EXPECT_EQ(config_refusal("uri = \"rediss://cache:6380/0#insecure\"\ntls.verify-peer = false\n"), "accepted");
  EXPECT_EQ(config_refusal("uri = \"rediss://cache:6380/0\"\ntls.verify-peer = true\ntls.ca-file = \"/ca.pem\"\n"),
            "accepted");
}

TEST(RedisTlsOptions, RedisOptionsThatContradictEachOtherAreRefusedBeforeConnecting) {
  const auto connect_refusal = [](const RedisOptions& o) { return refusal([&] { (void)connect_redis(o); }); };
  RedisOptions o;
  o.port = 1;  // nothing listens there: a refusal must come before any connection
  o.tls.enabled = true;
  o.tls.verify_peer = false;
  o.tls.ca_file = "/etc/ca.pem";
  EXPECT_THAT(connect_refusal(o), AllOf(HasSubstr("RedisOptions::tls.ca_file (\"/etc/ca.pem\") names a CA"),
                                        HasSubstr("tls.verify_peer is false"), HasSubstr("keep one")));
  o.tls = {};
  o.tls.ca_file = "/etc/ca.pem";  // TLS off
  EXPECT_THAT(connect_refusal(o), AllOf(HasSubstr("RedisOptions::tls.ca_file is a TLS setting, but TLS is off"),
                                        HasSubstr("rediss://")));
  o.tls = {};
  o.tls.enabled = true;
  o.tls.cert_file = "/etc/client.pem";
  EXPECT_THAT(connect_refusal(o), HasSubstr("tls.cert_file and tls.key_file go together"));
}

TEST(RedisTlsOptions, SettingsThatAgreeConnect) {
  const test::TestCertificates certificates;
  const test::TlsRedisServer server(certificates);
  for (const std::string& url : {server.url("localhost", "ssl_ca_certs=" + certificates.file("ca.pem") +
                                                             "&ssl_cert_reqs=required"),
                                 server.url("localhost", "ssl_cert_reqs=none") + "#insecure"}) {
    const auto store = connect(url);
    (void)Client{store}.enqueue_raw("Job", "default", {1});
    EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << url;
    (void)test::admin(*store).queue_clear({"default"});
  }
}

}  // namespace
}  // namespace errand::redis_tls_options_test
