// errand::Config: every key, defaults, store selection, the environment on top.
// Validation errors are in config_errors_test.cpp.
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace errand {
namespace {

using namespace std::chrono_literals;
using Kind = BackendConfig::Kind;
using Weights = std::vector<std::pair<std::string, int>>;

// Tests never read the real environment: a developer's REDIS_URL must not change them.
Config parse(std::string_view toml, std::map<std::string, std::string, std::less<>> env = {}) {
  return Config::from_toml_string(toml, "errand.toml", Environment::from_map(std::move(env)));
}

TEST(ConfigDefaults, AnEmptyFileRunsTheEmbeddedSqliteStoreWithSidekiqsDefaults) {
  const Config config = parse("");
  ASSERT_EQ(config.backends.size(), 1U);
  const BackendConfig& sqlite = config.backends[0];
  EXPECT_EQ(sqlite.kind, Kind::sqlite);
  EXPECT_EQ(sqlite.url, "sqlite://errand.db");
  EXPECT_EQ(sqlite.processor.concurrency, 10);
  EXPECT_EQ(sqlite.processor.queues.mode(), QueueList::Mode::strict);
  EXPECT_EQ(sqlite.processor.queues.names(), std::vector<std::string>{"default"});
  EXPECT_EQ(sqlite.processor.shutdown_timeout, 25s);
  EXPECT_EQ(sqlite.processor.retry.max_retries, 25);
  EXPECT_EQ(sqlite.processor.retry.dead.max_jobs, 10'000U);
}

TEST(ConfigDefaults, AWorkerWithoutSettingsHasRoadstersSixtySecondTimeoutAnd25Retries) {
  const Config config = parse("");
  const WorkerConfig worker = config.worker("AnyWorker");
  EXPECT_EQ(worker.timeout, true);
  EXPECT_EQ(worker.max_duration, std::chrono::milliseconds(60s));
  EXPECT_EQ(worker.max_retries, 25);
  EXPECT_EQ(config.job_timeout("AnyWorker"), std::chrono::milliseconds(60s));
  EXPECT_EQ(config.backends.at(0).processor.job_timeout, std::chrono::milliseconds(60s)) << "enforced, as Roadster";
}

TEST(ConfigDefaults, WorkerConfigsTimeoutReachesEveryProcessor) {
  const Config longer = parse("[service.worker.worker-config]\nmax-duration = 90\n");
  EXPECT_EQ(longer.backends.at(0).processor.job_timeout, std::chrono::milliseconds(90s));
  const Config off = parse("[service.worker.worker-config]\ntimeout = false\n");
  EXPECT_EQ(off.default_job_timeout(), std::nullopt);
  EXPECT_EQ(off.backends.at(0).processor.job_timeout, std::nullopt);
}

TEST(ConfigDefaults, ADefaultConstructedConfigIsTheSqliteDefault) {
  const Config config;
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].url, "sqlite://errand.db");
}

std::string fmt_redis_section(const std::string& section) {
  return "[" + section + R"(.redis]
uri = "rediss://cache:6380/2"
namespace = "my app"
enqueue-pool.max-connections = 12
fetch-pool.max-connections = 4
[)" + section + R"(.redis.tls]
ca-file = "/etc/redis/ca&1.pem"
cert-file = "/etc/redis/client.pem"
key-file = "/etc/redis/client.key"
verify-peer = true
)";
}

TEST(ConfigStores, SidekiqSectionGivesARedisStore) {
  const Config config = parse(R"(
[service.sidekiq]
num-workers = 12
queues = ["critical", "default"]
[service.sidekiq.redis]
uri = "redis://cache:6380/2"
)");
  ASSERT_EQ(config.backends.size(), 1U);
  const BackendConfig& redis = config.backends[0];
  EXPECT_EQ(redis.kind, Kind::redis);
  EXPECT_EQ(redis.url, "redis://cache:6380/2");
  EXPECT_EQ(redis.processor.concurrency, 12);
  EXPECT_EQ(redis.processor.queues.mode(), QueueList::Mode::strict);
  EXPECT_EQ(redis.processor.queues.names(), (std::vector<std::string>{"critical", "default"}));
}

TEST(ConfigStores, NewerRoadsterSidekiqSectionUnderServiceWorkerIsReadToo) {
  const Config config = parse("[service.worker.sidekiq]\nnum-workers = 3\nredis.uri = \"redis://r:6379/0\"\n");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::redis);
  EXPECT_EQ(config.backends[0].processor.concurrency, 3);
}

TEST(ConfigStores, RedisNamespacePoolSizesAndTlsReachTheStoresOptions) {
  for (const char* section : {"service.sidekiq", "service.worker.sidekiq"}) {
    const Config config = parse(fmt_redis_section(section));
    ASSERT_EQ(config.backends.size(), 1U) << section;
    const RedisOptions o = RedisOptions::from_url(config.backends[0].url);
    EXPECT_EQ(o.host, "cache");
    EXPECT_EQ(o.key_namespace, "my app");
    EXPECT_EQ(o.pool_size, 12U);
    EXPECT_EQ(o.fetch_pool_size, 4U);
    EXPECT_TRUE(o.tls.enabled);
    EXPECT_EQ(o.tls.ca_file, "/etc/redis/ca&1.pem");
    EXPECT_EQ(o.tls.cert_file, "/etc/redis/client.pem");
    EXPECT_EQ(o.tls.key_file, "/etc/redis/client.key");
    EXPECT_TRUE(o.tls.verify_peer);
  }
}

TEST(ConfigStores, RedisSettingsJoinTheUrlsOwnParameters) {
  const Config config = parse(R"(
[service.sidekiq.redis]
uri = "rediss://cache/0?ssl_cert_reqs=none#insecure"
namespace = "ns"
)");
  const RedisOptions o = RedisOptions::from_url(config.backends[0].url);
  EXPECT_EQ(o.key_namespace, "ns");
  EXPECT_FALSE(o.tls.verify_peer);
  // REDIS_URL takes the file's other settings too.
  const Config from_env = parse("[service.sidekiq.redis]\nenqueue-pool.max-connections = 7\n",
                                {{"REDIS_URL", "redis://env-cache:6379/1"}});
  EXPECT_EQ(RedisOptions::from_url(from_env.backends[0].url).pool_size, 7U);
  EXPECT_EQ(RedisOptions::from_url(from_env.backends[0].url).host, "env-cache");
}

TEST(ConfigStores, SidekiqSevenDefaultsToFiveThreadsAsSidekiqDoes) {
  const Config config = parse("[service.sidekiq]\nversion = \"7\"\nredis.uri = \"redis://r:6379/0\"\n");
  // The version is the Redis store's (Client and Processor both follow it): in its URL.
  EXPECT_EQ(RedisOptions::from_url(config.backends[0].url).sidekiq_version, SidekiqVersion::v7);
  EXPECT_EQ(config.backends[0].processor.concurrency, 5);
  EXPECT_EQ(RedisOptions::from_url(parse("[service.sidekiq]\nversion = 8\nredis.uri = \"redis://r\"\n").backends[0].url)
                .sidekiq_version,
            SidekiqVersion::v8);
}

TEST(ConfigStores, PgSectionGivesAPostgresStore) {
  const Config config = parse(R"(
[service.worker.pg]
num-workers = 4
queues = ["mail"]
database.uri = "postgresql://jobs:secret@db:5432/jobs"
)");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::postgres);
  EXPECT_EQ(config.backends[0].url, "postgresql://jobs:secret@db:5432/jobs");
  EXPECT_EQ(config.backends[0].processor.concurrency, 4);
  EXPECT_EQ(config.backends[0].processor.queues.names(), std::vector<std::string>{"mail"});
}

TEST(ConfigStores, PgFallsBackToTheTopLevelDatabaseUri) {
  const Config config = parse("[database]\nuri = \"postgres://app@db/app\"\n[service.worker.pg]\nnum-workers = 2\n");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::postgres);
  EXPECT_EQ(config.backends[0].url, "postgres://app@db/app");
}

TEST(ConfigStores, PgsOwnUriWinsOverTheTopLevelOne) {
  const Config config = parse(
      "[database]\nuri = \"postgres://app@db/app\"\n[service.worker.pg.database]\nuri = \"postgres://q@db/queue\"\n");
  EXPECT_EQ(config.backends.at(0).url, "postgres://q@db/queue");
}

TEST(ConfigStores, APostgresDatabaseUriAloneIsEnoughForThePostgresStore) {
  const Config config = parse("database.uri = \"postgres://app@db/app\"\n");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::postgres);
}

TEST(ConfigStores, ANonPostgresDatabaseUriWithoutAPgSectionIsTheAppsOwnAndLeavesSqlite) {
  const Config config = parse("database.uri = \"mysql://app@db/app\"\n");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::sqlite);
}

TEST(ConfigStores, RedisAndPostgresTogetherGiveTwoStoresForAMigration) {
  const Config config = parse(R"(
database.uri = "postgres://app@db/app"
[service.sidekiq]
num-workers = 5
redis.uri = "redis://r:6379/0"
[service.worker.pg]
num-workers = 7
)");
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].kind, Kind::redis);
  EXPECT_EQ(config.backends[0].processor.concurrency, 5);
  EXPECT_EQ(config.backends[1].kind, Kind::postgres);
  EXPECT_EQ(config.backends[1].processor.concurrency, 7);
}

TEST(ConfigStores, SqliteSectionTakesAPathOrAUri) {
  const Config by_path = parse("[service.worker.sqlite]\npath = \"var/jobs.db\"\nnum-workers = 2\n");
  ASSERT_EQ(by_path.backends.size(), 1U);
  EXPECT_EQ(by_path.backends[0].url, "sqlite://var/jobs.db");
  EXPECT_EQ(by_path.backends[0].processor.concurrency, 2);
  EXPECT_EQ(parse("[service.worker.sqlite]\nuri = \"sqlite:///srv/jobs.db\"\n").backends[0].url,
            "sqlite:///srv/jobs.db");
}

TEST(ConfigStores, AnExplicitSqliteSectionRunsBesideRedis) {
  const Config config =
      parse("[service.sidekiq]\nredis.uri = \"redis://r\"\n[service.worker.sqlite]\npath = \"a.db\"\n");
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].kind, Kind::redis);
  EXPECT_EQ(config.backends[1].kind, Kind::sqlite);
}

TEST(ConfigStores, EnableFalseTurnsAStoreOff) {
  const Config config = parse("[service.sidekiq]\nenable = false\nredis.uri = \"redis://r\"\n");
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::sqlite);
}

TEST(ConfigQueues, SidekiqWeightsGiveAWeightedList) {
  const Config config = parse("[service.worker]\nqueues = [[\"critical\", 6], [\"default\", 4]]\n");
  const QueueList& queues = config.backends[0].processor.queues;
  EXPECT_EQ(queues.mode(), QueueList::Mode::weighted);
  EXPECT_EQ(queues.weights(), (Weights{{"critical", 6}, {"default", 4}}));
}

TEST(ConfigQueues, ANameWithoutWeightNextToWeightedOnesWeighsOneAsInSidekiq) {
  const Config config = parse("[service.worker]\nqueues = [[\"critical\", 3], \"low\"]\n");
  EXPECT_EQ(config.backends[0].processor.queues.weights(), (Weights{{"critical", 3}, {"low", 1}}));
  EXPECT_EQ(config.backends[0].processor.queues.mode(), QueueList::Mode::weighted);
}

TEST(ConfigQueues, RoadstersRoundRobinGivesEqualWeightsAndNoneKeepsStrictOrder) {
  const Config fair = parse("[service.worker]\nqueues = [\"a\", \"b\"]\nbalance-strategy = \"round-robin\"\n");
  EXPECT_EQ(fair.backends[0].processor.queues.mode(), QueueList::Mode::weighted);
  EXPECT_EQ(fair.backends[0].processor.queues.weights(), (Weights{{"a", 1}, {"b", 1}}));
  const Config strict = parse("[service.worker]\nqueues = [\"a\", \"b\"]\nbalance-strategy = \"none\"\n");
  EXPECT_EQ(strict.backends[0].processor.queues.mode(), QueueList::Mode::strict);
}

TEST(ConfigQueues, AStoreSectionOverridesServiceWorkerDefaults) {
  const Config config = parse(R"(
[service.worker]
num-workers = 8
queues = ["shared"]
[service.sidekiq]
queues = ["redis-only"]
redis.uri = "redis://r"
[service.worker.sqlite]
path = "x.db"
)");
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].processor.queues.names(), std::vector<std::string>{"redis-only"});
  EXPECT_EQ(config.backends[0].processor.concurrency, 8);
  EXPECT_EQ(config.backends[1].processor.queues.names(), std::vector<std::string>{"shared"});
}

TEST(ConfigProcessor, EveryProcessorKeyReachesProcessorOptions) {
  const Config config = parse(R"(
[service.worker]
shutdown-timeout = 8.5
tag = "billing"
labels = ["eu-west", "canary"]
dead-max-jobs = 500
dead-timeout-in-seconds = 86400
average-scheduled-poll-interval = 2
poll-interval-average = 1.5
heartbeat-interval = 3
[service.worker.worker-config]
max-retries = 7
)");
  const ProcessorOptions& options = config.backends.at(0).processor;
  EXPECT_EQ(options.shutdown_timeout, 8500ms);
  EXPECT_EQ(options.tag, "billing");
  EXPECT_EQ(options.labels, (std::vector<std::string>{"eu-west", "canary"}));
  EXPECT_EQ(options.retry.dead.max_jobs, 500U);
  EXPECT_EQ(options.retry.dead.max_age, 86400s);
  EXPECT_EQ(options.average_scheduled_poll_interval, 2000ms);
  EXPECT_EQ(options.poll_interval_average, std::optional<std::chrono::milliseconds>(1500ms));
  EXPECT_EQ(options.heartbeat_interval, std::optional<std::chrono::milliseconds>(3000ms));
  EXPECT_EQ(options.retry.max_retries, 7);
}

TEST(ConfigWorkers, WorkerConfigAndPerClassOverridesMergeInThatOrder) {
  const Config config = parse(R"(
[service.worker.worker-config]
max-retries = 10
max-duration = 120
[service.worker.workers.InvoiceWorker]
max-retries = 3
[service.worker.workers."Billing::Report"]
timeout = false
)");
  EXPECT_EQ(config.worker_defaults.max_retries, 10);
  ASSERT_EQ(config.workers.size(), 2U);
  const WorkerConfig invoice = config.worker("InvoiceWorker");
  EXPECT_EQ(invoice.max_retries, 3);
  EXPECT_EQ(invoice.max_duration, std::chrono::milliseconds(120s));
  EXPECT_EQ(config.job_timeout("InvoiceWorker"), std::chrono::milliseconds(120s));
  EXPECT_EQ(config.job_timeout("Billing::Report"), std::nullopt);
  EXPECT_EQ(config.worker("Billing::Report").max_retries, 10);
  EXPECT_EQ(config.worker("Other").max_retries, 10);
}

TEST(ConfigWorkers, MergedWithKeepsUnsetFields) {
  const WorkerConfig base{.timeout = true, .max_duration = 5s, .max_retries = 1};
  const WorkerConfig merged = base.merged_with({.max_retries = 9});
  EXPECT_EQ(merged.timeout, true);
  EXPECT_EQ(merged.max_duration, std::chrono::milliseconds(5s));
  EXPECT_EQ(merged.max_retries, 9);
}

TEST(ConfigSample, TheShippedExampleFileReadsAsDocumented) {
  const Config config = Config::from_toml_file(std::filesystem::path(ERRAND_SOURCE_DIR) / "examples/errand.toml",
                                               Environment::from_map({}));
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].kind, Kind::redis);
  EXPECT_EQ(config.backends[0].processor.queues.weights(), (Weights{{"critical", 6}, {"default", 3}, {"low", 1}}));
  EXPECT_EQ(config.backends[1].kind, Kind::postgres);
  EXPECT_EQ(config.backends[1].url, "postgres://errand:errand@localhost:5432/errand_dev");
  EXPECT_EQ(config.job_timeout("ReportWorker"), std::chrono::milliseconds(600s));
  EXPECT_EQ(config.worker("InvoiceWorker").max_retries, 5);
}

TEST(ConfigSample, ARoadsterWorkerServiceFileIsAccepted) {
  // The worker part of a Roadster app's config/default.toml, as Roadster documents it.
  const Config config = parse(R"(
[database]
uri = "postgres://roadster:roadster@localhost:5432/example_dev"

[service.worker]
balance-strategy = "round-robin"

[service.worker.worker-config]
max-retries = 25
timeout = true
max-duration = 60

[service.worker.sidekiq]
num-workers = 16
queues = ["default", "mailers"]

[service.worker.sidekiq.redis]
uri = "redis://localhost:6379"

[service.worker.pg]
num-workers = 8
)");
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].processor.concurrency, 16);
  EXPECT_EQ(config.backends[0].processor.queues.weights(), (Weights{{"default", 1}, {"mailers", 1}}));
  EXPECT_EQ(config.backends[1].url, "postgres://roadster:roadster@localhost:5432/example_dev");
  EXPECT_EQ(config.job_timeout("Any"), std::chrono::milliseconds(60s));
}

}  // namespace
}  // namespace errand
