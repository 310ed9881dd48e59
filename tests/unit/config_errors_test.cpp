// errand::Config's errors: each names the key, the file and line (or the variable),
// and what to do.
#include <errand/config.hpp>
#include <errand/error.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string error_of(std::string_view toml, std::map<std::string, std::string, std::less<>> env = {}) {
  try {
    (void)Config::from_toml_string(toml, "errand.toml", Environment::from_map(std::move(env)));
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << toml;
  return {};
}

TEST(ConfigErrors, SyntaxErrorGivesFileLineAndColumn) {
  EXPECT_THAT(error_of("[service.sidekiq]\nnum-workers = \n"),
              AllOf(HasSubstr("errand.toml:2:"), HasSubstr("not valid TOML"), HasSubstr("fix the syntax")));
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearestKnownOne) {
  EXPECT_THAT(error_of("[service.sidekiq]\nnum-worker = 4\n"),
              AllOf(HasSubstr("errand.toml:2"), HasSubstr("unknown key service.sidekiq.num-worker"),
                    HasSubstr("did you mean \"num-workers\"?"), HasSubstr("docs/configuration.md")));
  EXPECT_THAT(error_of("\n\n[service.worker.worker-config]\nmax-retry = 3\n"),
              AllOf(HasSubstr("errand.toml:4"), HasSubstr("did you mean \"max-retries\"?")));
}

TEST(ConfigErrors, UnknownKeyFarFromAnyKnownOneHasNoSuggestion) {
  const std::string message = error_of("[service.http]\nport = 3000\n");
  EXPECT_THAT(message, AllOf(HasSubstr("errand.toml:1"), HasSubstr("unknown key service.http")));
  EXPECT_THAT(message, Not(HasSubstr("did you mean")));
}

TEST(ConfigErrors, UnknownKeyInsideAWorkerSection) {
  EXPECT_THAT(error_of("[service.worker.workers.Mailer]\nmax-duraton = 5\n"),
              AllOf(HasSubstr("errand.toml:2"), HasSubstr("service.worker.workers.Mailer.max-duraton"),
                    HasSubstr("did you mean \"max-duration\"?")));
}

TEST(ConfigErrors, RoadsterSettingsErrandDoesNotUseAreNamedAsSuch) {
  EXPECT_THAT(error_of("[service.worker.worker-config.pg]\nfailure-action = \"delete\"\n"),
              AllOf(HasSubstr("errand.toml:2"),
                    HasSubstr("service.worker.worker-config.pg.failure-action is a Roadster setting"),
                    HasSubstr("Coming from Roadster")));
  EXPECT_THAT(error_of("[service.worker.worker-config.sidekiq]\nx = 1\n"),
              HasSubstr("service.worker.worker-config.sidekiq is a Roadster setting"));
  EXPECT_THAT(error_of("[service.sidekiq.periodic]\nstale-cleanup = \"manual\"\n"),
              HasSubstr("service.sidekiq.periodic is a Roadster setting errand does not use; remove it"));
}

TEST(ConfigErrors, PostgresStoreSettingsAreChecked) {
  EXPECT_THAT(error_of("[service.worker.worker-config.pg]\nsuccess-action = \"keep\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.worker-config.pg.success-action is \"keep\""),
                    HasSubstr("use \"delete\"")));
  EXPECT_THAT(error_of("[service.worker.pg]\ndatabase.uri = \"postgres://h/db\"\nvisibility-timeout = 0\n"),
              HasSubstr("errand.toml:3: service.worker.pg.visibility-timeout"));
}

TEST(ConfigErrors, WrongTypeNamesTheExpectedType) {
  EXPECT_THAT(error_of("[service.sidekiq]\nnum-workers = \"10\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.sidekiq.num-workers must be an integer, got a string"),
                    HasSubstr("without quotes")));
  EXPECT_THAT(error_of("[service.worker.worker-config]\ntimeout = 30\n"),
              HasSubstr("errand.toml:2: service.worker.worker-config.timeout must be true or false, got an integer"));
  EXPECT_THAT(error_of("[service.worker]\nqueues = \"default\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.queues must be an array"), HasSubstr("[\"critical\"")));
  EXPECT_THAT(error_of("service.sidekiq = 3\n"), HasSubstr("service.sidekiq must be a table"));
}

TEST(ConfigErrors, WorkerCountsMustBePositive) {
  EXPECT_THAT(error_of("[service.worker.pg]\nnum-workers = 0\n"),
              HasSubstr("errand.toml:2: service.worker.pg.num-workers must be between 1 and 10000, got 0"));
  EXPECT_THAT(error_of("[service.worker]\n\nnum-workers = -4\n"),
              HasSubstr("errand.toml:3: service.worker.num-workers must be between 1 and 10000, got -4"));
}

TEST(ConfigErrors, BadWeights) {
  EXPECT_THAT(error_of("[service.worker]\nqueues = [[\"a\", 0]]\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.queues[0]"), HasSubstr("queue \"a\" has weight 0"),
                    HasSubstr("whole number")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = [[\"a\", 2.5]]\n"),
              AllOf(HasSubstr("errand.toml:2"), HasSubstr("weight 2.5"), HasSubstr("whole number")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = [[\"a\", \"6\"]]\n"),
              AllOf(HasSubstr("errand.toml:2"), HasSubstr("[name, weight] pair")));
}

TEST(ConfigErrors, BadQueueNamesAndLists) {
  EXPECT_THAT(error_of("[service.worker]\nqueues = [\"a\",\n  \"\"]\n"),
              AllOf(HasSubstr("errand.toml:3: service.worker.queues[1]"), HasSubstr("must not be empty")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = [\"a\", \"a\"]\n"),
              AllOf(HasSubstr("errand.toml:2"), HasSubstr("queue \"a\" is listed twice")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = []\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.queues"), HasSubstr("at least one")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = [\"a\"]\nbalance-strategy = \"random\"\n"),
              AllOf(HasSubstr("errand.toml:3"), HasSubstr("\"round-robin\"")));
  EXPECT_THAT(error_of("[service.worker]\nqueues = [[\"a\", 2]]\nbalance-strategy = \"none\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.worker.balance-strategy"), HasSubstr("have weights")));
}

TEST(ConfigErrors, UrlsWithTheWrongScheme) {
  EXPECT_THAT(error_of("[service.sidekiq]\nredis.uri = \"http://cache:6379\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.sidekiq.redis.uri is \"http://cache:6379\", not a Redis URL"),
                    HasSubstr("use redis://")));
  EXPECT_THAT(error_of("[service.worker.pg]\ndatabase.uri = \"mysql://db/app\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.pg.database.uri"), HasSubstr("not a Postgres URL"),
                    HasSubstr("postgres://")));
  EXPECT_THAT(error_of("database.uri = \"mysql://db/app\"\n[service.worker.pg]\nnum-workers = 2\n"),
              AllOf(HasSubstr("errand.toml:1: database.uri"), HasSubstr("service.worker.pg uses it")));
  EXPECT_THAT(error_of("[service.worker.sqlite]\nuri = \"errand.db\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.sqlite.uri"), HasSubstr("sqlite://")));
}

TEST(ConfigErrors, AMalformedRedisUrlIsCaughtWithItsLine) {
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"redis://cache:port/0\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.sidekiq.redis.uri"), HasSubstr("bad port")));
}

TEST(ConfigErrors, RedisSettingsThatClashWithTheUrl) {
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"redis://cache/0?namespace=a\"\nnamespace = \"b\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.namespace is set, and so is namespace in the "
                              "Redis URL (errand.toml:2: service.sidekiq.redis.uri); keep one")));
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"redis://cache/0\"\ntls.ca-file = \"/ca.pem\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.ca-file"), HasSubstr("not TLS"),
                    HasSubstr("rediss://")));
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"rediss://cache/0\"\nfetch-pool.max-connections = 0\n"),
              HasSubstr("service.sidekiq.redis.fetch-pool.max-connections must be between 1 and 10000"));
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"rediss://cache/0\"\ntls.cert-file = \"/c.pem\"\n"),
              AllOf(HasSubstr("errand.toml:3: service.sidekiq.redis.tls.cert-file is set without tls.key-file"),
                    HasSubstr("give both")));
  EXPECT_THAT(error_of("[service.sidekiq.redis]\nuri = \"rediss://cache/0\"\nenqueue-pool.min-connections = 1\n"),
              HasSubstr("is a Roadster setting"));
}

TEST(ConfigErrors, StoreSectionsWithoutAUrl) {
  EXPECT_THAT(error_of("[service.sidekiq]\nnum-workers = 3\n"),
              AllOf(HasSubstr("errand.toml:1"), HasSubstr("no Redis URL"), HasSubstr("REDIS_URL")));
  EXPECT_THAT(error_of("[service.worker.pg]\nnum-workers = 3\n"),
              AllOf(HasSubstr("errand.toml:1"), HasSubstr("no database URL"), HasSubstr("DATABASE_URL")));
  EXPECT_THAT(error_of("[service.worker.sqlite]\npath = \"a.db\"\nuri = \"sqlite://b.db\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.worker.sqlite.path"), HasSubstr("keep one")));
}

TEST(ConfigErrors, BothSidekiqSectionsAtOnce) {
  EXPECT_THAT(error_of("[service.sidekiq]\nnum-workers = 1\n[service.worker.sidekiq]\nnum-workers = 2\n"),
              AllOf(HasSubstr("errand.toml:3"), HasSubstr("errand.toml:1"), HasSubstr("keep one")));
}

TEST(ConfigErrors, NoStoreLeft) {
  EXPECT_THAT(error_of("[service.worker.sqlite]\nenable = false\n"),
              AllOf(HasSubstr("no store is enabled"), HasSubstr("errand.toml:2: service.worker.sqlite.enable"),
                    HasSubstr("REDIS_URL")));
}

TEST(ConfigErrors, OutOfRangeValues) {
  EXPECT_THAT(error_of("[service.worker]\nshutdown-timeout = -1\n"),
              HasSubstr("errand.toml:2: service.worker.shutdown-timeout must be a number of seconds"));
  EXPECT_THAT(error_of("[service.worker.worker-config]\nmax-retries = -1\n"),
              HasSubstr("errand.toml:2: service.worker.worker-config.max-retries must be at least 0"));
  EXPECT_THAT(error_of("[service.sidekiq]\nversion = \"5\"\nredis.uri = \"redis://r\"\n"),
              AllOf(HasSubstr("errand.toml:2: service.sidekiq.version"), HasSubstr("\"6\", \"7\" or \"8\"")));
  EXPECT_THAT(error_of("[service.worker]\nlabels = [\"a\", 1]\n"),
              HasSubstr("errand.toml:2: service.worker.labels must be an array of strings"));
}

TEST(ConfigErrors, DurationsShorterThanTheirMinimumAfterConversionAreRefused) {
  // 0.0001 s is > 0 but 0 ms: it used to pass and make an idle processor spin.
  for (const char* key : {"heartbeat-interval", "poll-interval-average", "average-scheduled-poll-interval"}) {
    EXPECT_THAT(error_of(std::string("[service.worker]\n") + key + " = 0.0001\n"),
                AllOf(HasSubstr(std::string("errand.toml:2: service.worker.") + key),
                      HasSubstr("must be at least 0.01 s (10 ms)"), HasSubstr("got 0.0001 s")));
    EXPECT_THAT(error_of(std::string("[service.worker]\n") + key + " = 0\n"), HasSubstr("at least 0.01 s"));
  }
  EXPECT_THAT(error_of("[service.worker.workers.Mailer]\nmax-duration = 0.0004\n"),
              HasSubstr("max-duration must be at least 0.001 s (1 ms), got 0.0004 s"));
  EXPECT_THAT(error_of("[service.worker]\nshutdown-timeout = 0.0004\n"),
              HasSubstr("shutdown-timeout must be at least 0.001 s (1 ms) or exactly 0"));
  EXPECT_NO_THROW((void)Config::from_toml_string("[service.worker]\nshutdown-timeout = 0\nheartbeat-interval = 0.01\n",
                                                 "errand.toml", Environment::from_map({})));
}

TEST(ConfigErrors, BadEnvironmentVariablesAreNamed) {
  EXPECT_THAT(error_of("", {{"ERRAND_CONCURRENCY", "ten"}}),
              AllOf(HasSubstr("environment variable ERRAND_CONCURRENCY"), HasSubstr("\"ten\""), HasSubstr(">= 1")));
  EXPECT_THAT(error_of("", {{"ERRAND_CONCURRENCY", "0"}}), HasSubstr("ERRAND_CONCURRENCY"));
  EXPECT_THAT(error_of("", {{"ERRAND_QUEUES", "a:0"}}),
              AllOf(HasSubstr("environment variable ERRAND_QUEUES"), HasSubstr("weight 0")));
  EXPECT_THAT(error_of("", {{"ERRAND_QUEUES", "a,,b"}}),
              AllOf(HasSubstr("ERRAND_QUEUES"), HasSubstr("must not be empty")));
  EXPECT_THAT(error_of("", {{"ERRAND_SHUTDOWN_TIMEOUT", "soon"}}), HasSubstr("ERRAND_SHUTDOWN_TIMEOUT"));
  EXPECT_THAT(error_of("", {{"ERRAND_SIDEKIQ_VERSION", "9"}}), HasSubstr("ERRAND_SIDEKIQ_VERSION"));
  EXPECT_THAT(error_of("", {{"REDIS_URL", "localhost:6379"}}),
              AllOf(HasSubstr("environment variable REDIS_URL"), HasSubstr("redis://")));
}

TEST(ConfigErrors, AMissingFileSaysWhichAndWhatToCheck) {
  try {
    (void)Config::from_toml_file("/nonexistent/errand.toml", Environment::from_map({}));
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_THAT(std::string(e.what()), AllOf(HasSubstr("/nonexistent/errand.toml"),
                                             HasSubstr("No such file or directory"), HasSubstr("ERRAND_CONFIG")));
  }
}

}  // namespace
}  // namespace errand
