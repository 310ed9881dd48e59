// rediss:// against a real redis-server speaking TLS: jobs enqueued and processed,
// certificates verified (CA, host name, SNI), skipped only when asked, client
// certificates for mutual TLS.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>
#include <errand/redis.hpp>

#include "listening_process.hpp"
#include "recorder.hpp"
#include "redis/connection.hpp"
#include "test_env.hpp"
#include "tls_redis_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand::redis_tls_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class RedisTlsTest : public ::testing::Test {
 protected:
  test::TestCertificates certificates;
  [[nodiscard]] std::string trust(const std::string& ca = "ca.pem") const {
    return "ssl_ca_certs=" + certificates.file(ca);
  }
  /// The ConnectionError connecting to `url` gives.
  static std::string connection_error(const std::string& url) {
    try {
      (void)connect(url);
    } catch (const ConnectionError& e) {
      return e.what();
    }
    ADD_FAILURE() << "connected to " << url;
    return {};
  }
};

/// Jobs already queued (the fetch script), then jobs enqueued while the processor waits
/// on its blocking command (BLMOVE per queue with reliable fetch, else BRPOP): all run.
void enqueue_and_process(const RedisOptions& redis) {
  const std::string blocking_command = redis.reliable_fetch ? "blmove" : "brpop";
  const auto store = connect_redis(redis);
  Client client{store};
  for (int i = 0; i < 20; ++i) (void)client.enqueue_raw("Job", "first", json::array{i});
  ProcessorOptions options;
  options.concurrency = 4;
  options.queues = QueueList{"first", "second"};
  options.logger = null_logger();
  options.shutdown_timeout = std::chrono::seconds(5);
  Processor processor(store, options);
  test::Recorder seen;
  processor.register_handler("Job", [&](const Job& job, Context& ctx) {
    seen.add(std::string(ctx.queue()) + ":" + to_json(job.args()));
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 20; }));

  redis::Connection watcher(redis);
  ASSERT_TRUE(test::eventually([&] {
    return watcher.run({"CLIENT", "LIST"}).text().find("cmd=" + blocking_command) != std::string::npos;
  })) << "the processor never waited with " << blocking_command;
  for (int i = 0; i < 10; ++i) (void)client.enqueue_raw("Job", "second", json::array{i});
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 30; }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({"first"}) + test::admin(*store).queue_size({"second"}), 0);
}

TEST_F(RedisTlsTest, EnqueuesAndProcessesJobsWithReliableFetch) {
  const test::TlsRedisServer server(certificates);
  enqueue_and_process(RedisOptions::from_url(server.url("localhost", trust())));
}

TEST_F(RedisTlsTest, EnqueuesAndProcessesJobsWithBasicFetch) {
  const test::TlsRedisServer server(certificates);
  RedisOptions options = RedisOptions::from_url(server.url("127.0.0.1", trust()));
  options.reliable_fetch = false;
  enqueue_and_process(options);
}

TEST_F(RedisTlsTest, AnUntrustedCertificateIsRefusedWithAClearError) {
  const test::TlsRedisServer server(certificates);
  EXPECT_THAT(connection_error(server.url("localhost", trust("other-ca.pem"))),
              AllOf(HasSubstr("rediss://localhost:" + std::to_string(server.port())), HasSubstr("not trusted"),
                    HasSubstr("ssl_ca_certs="), HasSubstr("ssl_cert_reqs=none")));
  // Without a CA file, the system's CAs are used: they never signed this test CA.
  EXPECT_THAT(connection_error(server.url("localhost")), HasSubstr("not trusted"));
}

TEST_F(RedisTlsTest, VerificationCanBeTurnedOffForTesting) {
  const test::TlsRedisServer server(certificates);
  // (A CA file with verification off is refused: tls_options_test.cpp.)
  for (const std::string& url : {server.url("localhost", "ssl_cert_reqs=none"), server.url("localhost") + "#insecure"}) {
    const auto store = connect(url);
    Client{store}.enqueue_raw("Job", "default", json::array{});
    EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << url;
    test::admin(*store).queue_clear({"default"});
  }
}

TEST_F(RedisTlsTest, AHostTheCertificateDoesNotNameIsRefused) {
  const test::TlsRedisServer server(certificates, test::TlsRedisServer::ClientCertificate::not_asked, "elsewhere");
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    EXPECT_THAT(connection_error(server.url(host, trust())),
                AllOf(HasSubstr("not for \"" + host + "\""), HasSubstr("ssl_cert_reqs=none")));
  }
}

TEST_F(RedisTlsTest, MutualTlsNeedsTheClientCertificate) {
  const test::TlsRedisServer server(certificates, test::TlsRedisServer::ClientCertificate::required);
  EXPECT_THAT(connection_error(server.url("localhost", trust())), HasSubstr("client certificate"));
  const std::string with_certificate = server.url(
      "localhost", trust() + "&ssl_certfile=" + certificates.file("client.pem") +
                       "&ssl_keyfile=" + certificates.file("client.key"));
  enqueue_and_process(RedisOptions::from_url(with_certificate));
}

TEST_F(RedisTlsTest, TheHostNameIsSentAsSni) {
  // openssl s_server shows its localhost certificate only to a client that asks for
  // "localhost" by SNI, and a certificate for another host to the rest.
  const test::TempDir dir;
  const test::ListeningProcess server(
      [&](std::uint16_t port) {
        return std::vector<std::string>{
            "openssl", "s_server", "-www", "-accept", "127.0.0.1:" + std::to_string(port), "-naccept", "1",
            "-cert", certificates.file("elsewhere.pem"), "-key", certificates.file("elsewhere.key"),
            "-servername", "localhost", "-cert2", certificates.file("server.pem"),
            "-key2", certificates.file("server.key")};
      },
      "ACCEPT", dir.file("s_server.log"));
  RedisOptions options = RedisOptions::from_url("rediss://localhost:" + std::to_string(server.port) + "/0?" + trust());
  // No command is sent: the handshake is the test.
  EXPECT_NO_THROW(redis::Connection{options}) << test::read_file(dir.file("s_server.log"));
}

TEST_F(RedisTlsTest, UnreadableCertificateFilesAreNamed) {
  EXPECT_THROW(
      {
        try {
          (void)connect("rediss://localhost:1/0?ssl_ca_certs=/nonexistent/ca.pem");
        } catch (const ConfigError& e) {
          EXPECT_THAT(e.what(), AllOf(HasSubstr("CA file \"/nonexistent/ca.pem\""), HasSubstr("ssl_ca_certs")));
          throw;
        }
      },
      ConfigError);
}

}  // namespace
}  // namespace errand::redis_tls_test
