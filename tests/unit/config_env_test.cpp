// errand::Config and the environment: which variable sets what, and that the
// environment wins over the file, which wins over the defaults.
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace errand {
namespace {

using namespace std::chrono_literals;
using Kind = BackendConfig::Kind;
using Weights = std::vector<std::pair<std::string, int>>;

Config parse_with_env(std::string_view toml, std::map<std::string, std::string, std::less<>> env) {
  return Config::from_toml_string(toml, "errand.toml", Environment::from_map(std::move(env)));
}

TEST(ConfigEnv, RedisUrlAloneSelectsRedis) {
  const Config config = parse_with_env("", {{"REDIS_URL", "redis://env-redis:6379/3"}});
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::redis);
  EXPECT_EQ(config.backends[0].url, "redis://env-redis:6379/3");
}

TEST(ConfigEnv, RedisUrlWinsOverTheFile) {
  const Config config = parse_with_env("[service.sidekiq.redis]\nuri = \"redis://file:6379/0\"\n",
                              {{"REDIS_URL", "redis://env:6379/1"}});
  EXPECT_EQ(config.backends.at(0).url, "redis://env:6379/1");
}

TEST(ConfigEnv, DatabaseUrlReplacesTheTopLevelDatabaseUri) {
  const Config config =
      parse_with_env("database.uri = \"postgres://file/app\"\n", {{"DATABASE_URL", "postgres://env/app"}});
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::postgres);
  EXPECT_EQ(config.backends[0].url, "postgres://env/app");
}

TEST(ConfigEnv, DatabaseUrlDoesNotRedirectADedicatedQueueDatabase) {
  // DATABASE_URL is the app's database (Heroku and others set it); a queue database
  // named in service.worker.pg is a deliberate choice it must not override.
  const Config config = parse_with_env("[service.worker.pg.database]\nuri = \"postgres://queue-db/jobs\"\n",
                              {{"DATABASE_URL", "postgres://app-db/app"}});
  EXPECT_EQ(config.backends.at(0).url, "postgres://queue-db/jobs");
}

TEST(ConfigEnv, ANonPostgresDatabaseUrlLeavesTheDefault) {
  const Config config = parse_with_env("", {{"DATABASE_URL", "mysql://db/app"}});
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::sqlite);
}

TEST(ConfigEnv, ConcurrencyWinsOverEverySection) {
  const Config config = parse_with_env(R"(
[service.worker]
num-workers = 4
[service.sidekiq]
num-workers = 6
redis.uri = "redis://r"
[service.worker.sqlite]
path = "a.db"
)",
                              {{"ERRAND_CONCURRENCY", "20"}});
  ASSERT_EQ(config.backends.size(), 2U);
  EXPECT_EQ(config.backends[0].processor.concurrency, 20);
  EXPECT_EQ(config.backends[1].processor.concurrency, 20);
}

TEST(ConfigEnv, QueuesFromTheEnvironmentStrictOrWeighted) {
  const Config strict = parse_with_env("[service.worker]\nqueues = [\"file\"]\n", {{"ERRAND_QUEUES", "critical, default"}});
  EXPECT_EQ(strict.backends[0].processor.queues.mode(), QueueList::Mode::strict);
  EXPECT_EQ(strict.backends[0].processor.queues.names(), (std::vector<std::string>{"critical", "default"}));

  const Config weighted = parse_with_env("", {{"ERRAND_QUEUES", "critical:6,default:4,low"}});
  EXPECT_EQ(weighted.backends[0].processor.queues.mode(), QueueList::Mode::weighted);
  EXPECT_EQ(weighted.backends[0].processor.queues.weights(), (Weights{{"critical", 6}, {"default", 4}, {"low", 1}}));
}

TEST(ConfigEnv, AColonNotFollowedByANumberIsPartOfTheQueueName) {
  const Config config = parse_with_env("", {{"ERRAND_QUEUES", "mail:bulk"}});
  EXPECT_EQ(config.backends[0].processor.queues.names(), std::vector<std::string>{"mail:bulk"});
}

TEST(ConfigEnv, ErrandVariablesForProcessorSettings) {
  const Config config = parse_with_env("[service.worker]\nshutdown-timeout = 5\ntag = \"file\"\n",
                              {{"ERRAND_SHUTDOWN_TIMEOUT", "9.5"},
                               {"ERRAND_TAG", "env"},
                               {"ERRAND_SIDEKIQ_VERSION", "7"},
                               {"REDIS_URL", "redis://r"}});
  const ProcessorOptions& options = config.backends.at(0).processor;
  EXPECT_EQ(options.shutdown_timeout, 9500ms);
  EXPECT_EQ(options.tag, "env");
  EXPECT_EQ(RedisOptions::from_url(config.backends.at(0).url).sidekiq_version, SidekiqVersion::v7);
}

TEST(ConfigEnv, SqlitePathFromTheEnvironment) {
  const Config config = parse_with_env("[service.worker.sqlite]\npath = \"file.db\"\n", {{"ERRAND_SQLITE_PATH", "/tmp/env.db"}});
  EXPECT_EQ(config.backends.at(0).url, "sqlite:///tmp/env.db");
}

TEST(ConfigEnv, AnEmptyVariableCountsAsUnset) {
  const Config config = parse_with_env("[service.worker]\nnum-workers = 3\n", {{"ERRAND_CONCURRENCY", ""}, {"REDIS_URL", ""}});
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].kind, Kind::sqlite);
  EXPECT_EQ(config.backends[0].processor.concurrency, 3);
}

TEST(ConfigEnv, LoadReadsTheFileNamedByErrandConfig) {
  const test::TempDir dir;
  const std::string path = dir.file("errand.toml");
  std::ofstream(path) << "[service.worker]\nnum-workers = 13\n";
  const Config config = Config::load(Environment::from_map({{"ERRAND_CONFIG", path}}));
  EXPECT_EQ(config.backends.at(0).processor.concurrency, 13);
}

TEST(ConfigEnv, LoadWithoutErrandConfigIsDefaultsPlusEnvironment) {
  const Config config = Config::load(Environment::from_map({{"ERRAND_CONCURRENCY", "2"}}));
  ASSERT_EQ(config.backends.size(), 1U);
  EXPECT_EQ(config.backends[0].url, "sqlite://errand.db");
  EXPECT_EQ(config.backends[0].processor.concurrency, 2);
}

TEST(ConfigEnv, LoadOfAMissingErrandConfigFileFails) {
  EXPECT_THROW((void)Config::load(Environment::from_map({{"ERRAND_CONFIG", "/nonexistent/x.toml"}})), ConfigError);
}

TEST(ConfigEnv, EnvironmentFromAFunction) {
  const Environment env([](std::string_view name) -> std::optional<std::string> {
    if (name == "REDIS_URL") return "redis://fn:6379/0";
    return std::nullopt;
  });
  EXPECT_EQ(env.get("REDIS_URL"), "redis://fn:6379/0");
  EXPECT_EQ(env.get("DATABASE_URL"), std::nullopt);
  EXPECT_EQ(Config::from_toml_string("", "x.toml", env).backends.at(0).kind, Kind::redis);
}

}  // namespace
}  // namespace errand
