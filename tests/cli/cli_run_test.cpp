// `run` in an application binary (cli_app: one worker, then errand::cli::main): jobs
// enqueued with the `errand` executable run, on one store or two at once, until TERM.
#include "cli_support.hpp"
#include "subprocess.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <sys/wait.h>

namespace errand::test {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class cli_run : public ::testing::Test {
 protected:
  void SetUp() override { flush_redis(); }

  void enqueue(const std::string& args, std::vector<std::string> where, const std::string& worker = "AppendWorker") {
    std::vector<std::string> command{"enqueue", worker, args};
    command.insert(command.end(), where.begin(), where.end());
    const CliResult r = run_errand(command);
    ASSERT_EQ(r.status, 0) << r.err;
  }

  std::vector<std::string> ran() const { return lines_of(read_file(output)); }

  /// Waits for `n` jobs to have run; then TERM, and expects a clean exit.
  void expect_runs_then_stops(Subprocess& app, std::size_t n) {
    EXPECT_TRUE(eventually([&] { return ran().size() >= n; }, std::chrono::seconds(30)))
        << ran().size() << " of " << n << " ran; log:\n" << read_file(log);
    const int status = app.stop(SIGTERM, std::chrono::seconds(30));
    EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(log);
  }

  TempDir dir;
  std::string sqlite = "sqlite://" + dir.file("jobs.db");
  std::string output = dir.file("ran.txt");
  std::string log = dir.file("app.log");
};

TEST_F(cli_run, AppRunsJobsUntilTerm) {
  for (int i = 0; i < 5; ++i) enqueue("[" + std::to_string(i) + "]", {"--url", sqlite});
  Subprocess app({CLI_APP, "run", "--url", sqlite, "-c", "2", "-t", "5", "-q", "default"},
                 {"CLI_APP_OUTPUT=" + output}, log);
  EXPECT_TRUE(eventually([&] { return ran().size() == 5; }, std::chrono::seconds(30))) << read_file(log);
  enqueue("[5]", {"--url", sqlite});  // while it runs
  expect_runs_then_stops(app, 6);
  EXPECT_THAT(ran(), UnorderedElementsAre("[0]", "[1]", "[2]", "[3]", "[4]", "[5]"));
  EXPECT_THAT(read_file(log), HasSubstr("received TERM"));

  const CliResult stats = run_errand({"stats", "--json", "--url", sqlite});
  EXPECT_EQ(parsed(stats).at("processed"), 6);
  EXPECT_EQ(parsed(stats).at("enqueued"), 0);
}

TEST_F(cli_run, AppRunsJobsOnPostgres) {
  reset_postgres();
  enqueue("[\"pg\"]", {"--url", postgres_url()});
  Subprocess app({CLI_APP, "run", "--url", postgres_url(), "-c", "1", "-t", "5"}, {"CLI_APP_OUTPUT=" + output}, log);
  expect_runs_then_stops(app, 1);
  EXPECT_THAT(ran(), UnorderedElementsAre("[\"pg\"]"));
  EXPECT_EQ(parsed(run_errand({"stats", "--json", "--url", postgres_url()})).at("processed"), 1);
}

TEST_F(cli_run, AppWorksWeightedQueues) {
  enqueue("[\"critical\"]", {"--url", sqlite, "-q", "critical"});
  enqueue("[\"low\"]", {"--url", sqlite, "-q", "low"});
  enqueue("[\"other\"]", {"--url", sqlite, "-q", "other"});
  Subprocess app({CLI_APP, "run", "--url", sqlite, "-q", "critical,3", "-q", "low"}, {"CLI_APP_OUTPUT=" + output},
                 log);
  expect_runs_then_stops(app, 2);
  EXPECT_THAT(ran(), UnorderedElementsAre("[\"critical\"]", "[\"low\"]"));
  const CliResult queues = run_errand({"queues", "--json", "--url", sqlite});
  EXPECT_EQ(parsed(queues), parse_json(R"([{"name":"critical","size":0},{"name":"low","size":0},)"
                                       R"({"name":"other","size":1}])"))
      << "a queue not named with -q is not worked";
}

TEST_F(cli_run, PerClassSettingsOfTheConfigurationApplyToThatClass) {
  const std::string config = dir.file("errand.toml");
  write_file(config, "[service.worker.sqlite]\npath = \"" + dir.file("jobs.db") +
                         "\"\n[service.worker.workers.StubbornWorker]\nmax-duration = 1\n");
  const CliResult pushed = run_errand({"enqueue", "StubbornWorker", "[]", "--config", config});
  ASSERT_EQ(pushed.status, 0) << pushed.err;
  Subprocess app({CLI_APP, "run", "--config", config, "-t", "5"}, {"CLI_APP_OUTPUT=" + output}, log);
  expect_runs_then_stops(app, 1);
  EXPECT_THAT(ran(), UnorderedElementsAre("stopped")) << "its 1 s timeout fired its stop token";
  const json::value retries = parsed(run_errand({"retries", "list", "--json", "--config", config}));
  ASSERT_EQ(retries.at("size"), 1) << retries;
  EXPECT_EQ(retries.at("jobs").at(0).at("job").at("error_class"), "errand::JobTimeoutError") << retries;
}

TEST_F(cli_run, AppRunsTwoConfiguredStoresAtOnce) {
  const std::string config = dir.file("errand.toml");
  write_file(config, two_store_config(dir.file("jobs.db"), redis_url()));
  enqueue("[\"from sqlite\"]", {"--config", config, "--store", "sqlite"});
  enqueue("[\"from redis\"]", {"--config", config, "--store", "redis"});
  Subprocess app({CLI_APP, "run", "--config", config}, {"CLI_APP_OUTPUT=" + output}, log);
  expect_runs_then_stops(app, 2);
  EXPECT_THAT(ran(), UnorderedElementsAre("[\"from sqlite\"]", "[\"from redis\"]"));
  EXPECT_THAT(read_file(log), HasSubstr("stopping 2 processors"));
  for (const char* store : {"sqlite", "redis"}) {
    const CliResult stats = run_errand({"stats", "--json", "--config", config, "--store", store});
    EXPECT_EQ(parsed(stats).at("processed"), 1) << store;
  }
}

// The first TERM waits up to the 60 s shutdown timeout for the jobs, which run until
// stopped; the second pushes them back to the queues of both stores and exits 1 at once.
TEST_F(cli_run, ASecondTermPushesTheRunningJobsBackOnBothStores) {
  const std::string config = dir.file("errand.toml");
  write_file(config, two_store_config(dir.file("jobs.db"), redis_url()));
  enqueue("[\"sqlite\"]", {"--config", config, "--store", "sqlite"}, "BlockingWorker");
  enqueue("[\"redis\"]", {"--config", config, "--store", "redis"}, "BlockingWorker");
  Subprocess app({CLI_APP, "run", "--config", config, "-t", "60"}, {"CLI_APP_OUTPUT=" + output}, log);
  ASSERT_TRUE(eventually([&] { return ran().size() == 2; }, std::chrono::seconds(30))) << read_file(log);
  EXPECT_THAT(ran(), UnorderedElementsAre("started [\"sqlite\"]", "started [\"redis\"]"));
  ASSERT_EQ(::kill(app.pid(), SIGTERM), 0);
  ASSERT_TRUE(eventually([&] { return read_file(log).find("stopping 2 processors") != std::string::npos; },
                         std::chrono::seconds(30)))
      << read_file(log);
  const int status = app.stop(SIGTERM, std::chrono::seconds(30));  // not 60 s: SIGKILL then
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 1) << read_file(log);
  EXPECT_THAT(read_file(log), HasSubstr("still running at a second stop signal"));
  for (const char* store : {"sqlite", "redis"}) {
    const CliResult queues = run_errand({"queues", "--json", "--config", config, "--store", store});
    EXPECT_EQ(parsed(queues), parse_json(R"([{"name":"default","size":1}])")) << store << ": the job is back";
  }
}

TEST_F(cli_run, AppRunsTwoUrlsAtOnce) {
  enqueue("[\"from sqlite\"]", {"--url", sqlite});
  enqueue("[\"from redis\"]", {"--url", redis_url()});
  Subprocess app({CLI_APP, "run", "--url", sqlite, "--url", redis_url(), "-c", "1"}, {"CLI_APP_OUTPUT=" + output},
                 log);
  expect_runs_then_stops(app, 2);
  EXPECT_THAT(ran(), UnorderedElementsAre("[\"from sqlite\"]", "[\"from redis\"]"));
}

// A migration from Redis to Postgres: the same worker runs on both until Redis drains.
TEST_F(cli_run, AppRunsRedisAndPostgresAtOnce) {
  reset_postgres();
  enqueue("[\"from redis\"]", {"--url", redis_url()});
  enqueue("[\"from postgres\"]", {"--url", postgres_url()});
  Subprocess app({CLI_APP, "run", "--url", redis_url(), "--url", postgres_url(), "-c", "1"},
                 {"CLI_APP_OUTPUT=" + output}, log);
  expect_runs_then_stops(app, 2);
  EXPECT_THAT(ran(), UnorderedElementsAre("[\"from redis\"]", "[\"from postgres\"]"));
}

}  // namespace
}  // namespace errand::test
