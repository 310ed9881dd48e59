// errand::Config at the edges of every duration and count it reads: the zero of each,
// its minimum and maximum, and one past. What is accepted is what the processor and the
// stores accept; what is refused names the key, its line and its limit.
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;

using Env = std::map<std::string, std::string, std::less<>>;

Config parse_config(std::string_view toml, Env env = {}) {
  return Config::from_toml_string(toml, "errand.toml", Environment::from_map(std::move(env)));
}

std::string limit_error_of(std::string_view toml, Env env = {}) {
  try {
    (void)parse_config(toml, std::move(env));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

/// `[section]\nkey = value\n`, with a Postgres URL when the section is the Postgres store's.
std::string file(std::string_view section, std::string_view key, std::string_view value) {
  std::string text = "[" + std::string(section) + "]\n" + std::string(key) + " = " + std::string(value) + "\n";
  if (section == "service.worker.pg") text += "database.uri = \"postgres://h/db\"\n";
  if (section == "service.sidekiq") text += "redis.uri = \"redis://cache/0\"\n";
  return text;
}

struct Refused {
  std::string section;
  std::string key;
  std::string value;
  std::string says;  ///< the limit, as the message gives it
};

// Each duration and count at zero (or just under its minimum): refused, naming the key
// (with its file and line) and its minimum.
TEST(ConfigLimits, ZerosAndValuesUnderTheMinimumAreRefusedNamingTheKeyAndItsMinimum) {
  const std::vector<Refused> cases{
      {"service.worker", "num-workers", "0", "must be between 1 and 10000, got 0"},
      {"service.sidekiq", "num-workers", "0", "must be between 1 and 10000, got 0"},
      {"service.worker.pg", "num-workers", "0", "must be between 1 and 10000, got 0"},
      {"service.worker.sqlite", "num-workers", "0", "must be between 1 and 10000, got 0"},
      {"service.worker", "heartbeat-interval", "0", "must be at least 0.01 s (10 ms)"},
      {"service.worker", "heartbeat-interval", "0.0099", "must be at least 0.01 s (10 ms)"},
      {"service.worker", "poll-interval-average", "0", "must be at least 0.01 s (10 ms)"},
      {"service.worker", "average-scheduled-poll-interval", "0", "must be at least 0.01 s (10 ms)"},
      {"service.worker", "shutdown-timeout", "0.0009", "must be at least 0.001 s (1 ms) or exactly 0"},
      {"service.worker", "shutdown-timeout", "-1", "from 0 to a year"},
      {"service.worker", "dead-max-jobs", "-1", "must be at least 0, got -1"},
      {"service.worker", "dead-timeout-in-seconds", "0", "must be between 1 and 3153600000, got 0"},
      {"service.worker.worker-config", "max-duration", "0", "must be at least 0.001 s (1 ms)"},
      {"service.worker.worker-config", "max-retries", "-1", "must be at least 0, got -1"},
      {"service.worker.workers.Mailer", "max-duration", "0.0005", "must be at least 0.001 s (1 ms)"},
      {"service.worker.pg", "visibility-timeout", "0", "must be between 1 and 31536000, got 0"},
      {"service.sidekiq.redis", "enqueue-pool.max-connections", "0", "must be between 1 and 10000, got 0"},
      {"service.sidekiq.redis", "fetch-pool.max-connections", "0", "must be between 1 and 10000, got 0"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(limit_error_of(file(c.section, c.key, c.value)),
                AllOf(HasSubstr("errand.toml:2: " + c.section + "." + c.key), HasSubstr(c.says)))
        << c.section << "." << c.key << " = " << c.value;
  }
}

TEST(ConfigLimits, ZerosThatMeanSomethingAreAcceptedAndReachTheProcessor) {
  const Config config = parse_config(
      "[service.worker]\nshutdown-timeout = 0\ndead-max-jobs = 0\n"
      "[service.worker.worker-config]\nmax-retries = 0\ntimeout = false\n");
  const ProcessorOptions& o = config.backends.at(0).processor;
  EXPECT_EQ(o.shutdown_timeout, 0ms) << "stop() pushes running jobs back at once";
  EXPECT_EQ(o.retry.dead.max_jobs, 0U) << "no dead job kept";
  EXPECT_EQ(o.retry.max_retries, 0) << "straight to the dead set";
  EXPECT_EQ(o.job_timeout, std::nullopt) << "no limit";
  EXPECT_NO_THROW(Processor(make_memory_store(), o));
}

TEST(ConfigLimits, MaximaAreAcceptedAndOnePastThemIsRefused) {
  const Config config = parse_config(
      "[service.worker]\nnum-workers = 10000\nshutdown-timeout = 31536000\n"
      "queues = [[\"heavy\", 1000000], [\"light\", 1]]\n"
      "[service.sidekiq.redis]\nuri = \"redis://cache/0\"\n"
      "enqueue-pool.max-connections = 10000\nfetch-pool.max-connections = 10000\n"
      "[service.worker.pg]\ndatabase.uri = \"postgres://h/db\"\nvisibility-timeout = 31536000\n");
  for (const auto& backend : config.backends) {
    EXPECT_EQ(backend.processor.concurrency, 10'000);
    EXPECT_EQ(backend.processor.queues.weights().front().second, 1'000'000);
    EXPECT_NO_THROW(Processor(make_memory_store(), backend.processor));
  }
  EXPECT_THAT(config.backends.at(0).url, AllOf(HasSubstr("pool_size=10000"), HasSubstr("fetch_pool_size=10000")));

  EXPECT_THAT(limit_error_of(file("service.worker", "num-workers", "10001")),
              HasSubstr("errand.toml:2: service.worker.num-workers must be between 1 and 10000, got 10001"));
  EXPECT_THAT(limit_error_of(file("service.worker", "queues", "[[\"heavy\", 1000001]]")),
              AllOf(HasSubstr("errand.toml:2: service.worker.queues[0]"), HasSubstr("weight 1000001"),
                    HasSubstr("from 1 to 1000000")));
  EXPECT_THAT(limit_error_of(file("service.worker", "shutdown-timeout", "31536001")), HasSubstr("from 0 to a year"));
  EXPECT_EQ(parse_config(file("service.worker", "dead-timeout-in-seconds", "3153600000")).backends.at(0).processor.retry.dead.max_age,
            ProcessorOptions::max_dead_age);
  EXPECT_THAT(limit_error_of(file("service.worker", "dead-timeout-in-seconds", "3153600001")),
              HasSubstr("errand.toml:2: service.worker.dead-timeout-in-seconds must be between 1 and 3153600000"));
  EXPECT_THAT(limit_error_of(file("service.sidekiq.redis", "fetch-pool.max-connections", "10001")),
              HasSubstr("must be between 1 and 10000, got 10001"));
}

TEST(ConfigLimits, QueueNamesUpTo256Bytes) {
  const std::string longest(256, 'q');
  const Config config = parse_config(file("service.worker", "queues", "[\"" + longest + "\"]"));
  EXPECT_EQ(config.backends.at(0).processor.queues.names(), std::vector<std::string>{longest});
  EXPECT_THAT(limit_error_of(file("service.worker", "queues", "[\"" + longest + "q\"]")),
              AllOf(HasSubstr("errand.toml:2: service.worker.queues[0]"), HasSubstr("is 257 bytes long"),
                    HasSubstr("the limit is 256 bytes")));
}

TEST(ConfigLimits, PostgresQueueNamesUpTo47Characters) {
  const std::string longest(47, 'q');
  const std::string pg = "[service.worker.pg]\ndatabase.uri = \"postgres://h/db\"\n";
  const Config config = parse_config(pg + "queues = [\"" + longest + "\"]\n");
  EXPECT_EQ(config.backends.at(0).processor.queues.names(), std::vector<std::string>{longest});
  EXPECT_THAT(limit_error_of(pg + "queues = [\"" + longest + "q\"]\n"),
              AllOf(HasSubstr("errand.toml:3: service.worker.pg.queues"), HasSubstr("(it is 48 characters long)"),
                    HasSubstr("pgmq queue names are 1-47 characters")));
  // Inherited from [service.worker], and from the environment: named where they are.
  EXPECT_THAT(limit_error_of("[service.worker]\nqueues = [\"" + longest + "q\"]\n" + pg),
              HasSubstr("errand.toml:2: service.worker.queues"));
  EXPECT_THAT(limit_error_of(pg, {{"ERRAND_QUEUES", longest + "q"}}),
              AllOf(HasSubstr("environment variable ERRAND_QUEUES"), HasSubstr("48 characters")));
  // Other stores take longer names.
  EXPECT_NO_THROW((void)parse_config("[service.worker.sqlite]\nqueues = [\"" + longest + "q\"]\n"));
}

TEST(ConfigLimits, TheEnvironmentHasTheFilesLimits) {
  EXPECT_EQ(parse_config("", {{"ERRAND_CONCURRENCY", "10000"}}).backends.at(0).processor.concurrency, 10'000);
  EXPECT_THAT(limit_error_of("", {{"ERRAND_CONCURRENCY", "10001"}}),
              AllOf(HasSubstr("environment variable ERRAND_CONCURRENCY is \"10001\""), HasSubstr("at most 10000")));
  EXPECT_THAT(limit_error_of("", {{"ERRAND_CONCURRENCY", "99999999999"}}), HasSubstr("ERRAND_CONCURRENCY"));

  const auto weights = parse_config("", {{"ERRAND_QUEUES", "a:1000000,b"}}).backends.at(0).processor.queues.weights();
  EXPECT_EQ(weights.at(0).second, 1'000'000);
  for (const std::string bad : {"a:1000001", "a:99999999999", "a:0", "a:-2"}) {
    EXPECT_THAT(limit_error_of("", {{"ERRAND_QUEUES", bad}}),
                AllOf(HasSubstr("environment variable ERRAND_QUEUES"), HasSubstr("from 1 to 1000000")))
        << bad;
  }

  EXPECT_EQ(parse_config("", {{"ERRAND_SHUTDOWN_TIMEOUT", "0"}}).backends.at(0).processor.shutdown_timeout, 0ms);
  EXPECT_EQ(parse_config("", {{"ERRAND_SHUTDOWN_TIMEOUT", "0.001"}}).backends.at(0).processor.shutdown_timeout, 1ms);
  EXPECT_EQ(parse_config("", {{"ERRAND_SHUTDOWN_TIMEOUT", "2.5"}}).backends.at(0).processor.shutdown_timeout, 2500ms);
  // A fraction of a millisecond would become 0 (no wait at all): refused, as in the file.
  EXPECT_THAT(limit_error_of("", {{"ERRAND_SHUTDOWN_TIMEOUT", "0.0004"}}),
              AllOf(HasSubstr("environment variable ERRAND_SHUTDOWN_TIMEOUT is \"0.0004\""),
                    HasSubstr("less than a millisecond"), HasSubstr("0 or at least 0.001")));
}

}  // namespace
}  // namespace errand
