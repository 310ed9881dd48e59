// The command line at the limits of what it passes on: -c, -q weights and -t at their
// edges, a configuration at them, and pgmq's 47-character queue names on Postgres, end to
// end through `errand enqueue` and an application's `run`.
#include "cli_support.hpp"
#include "subprocess.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <sys/wait.h>

namespace errand::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class cli_limits : public ::testing::Test {
 protected:
  /// Runs the app with `args` on a store that cannot be opened (so that a value let
  /// through shows as that error, not as a run that never ends); expects status 2 and
  /// one line of stderr saying `says`.
  void refused(std::vector<std::string> args, const std::string& says) {
    args.insert(args.begin(), {"run", "--url", "sqlite:///nonexistent-errand-dir/jobs.db"});
    const CliResult r = run_program(CLI_APP, args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
  }

  /// Starts the app with `args` and stops it with TERM once `jobs` lines were written.
  void runs(std::vector<std::string> args, std::size_t jobs) {
    args.insert(args.begin(), {CLI_APP, "run"});
    Subprocess app(args, {"CLI_APP_OUTPUT=" + output}, log);
    EXPECT_TRUE(eventually([&] { return lines_of(read_file(output)).size() >= jobs; }, std::chrono::seconds(60)))
        << read_file(log);
    const int status = app.stop(SIGTERM, std::chrono::seconds(60));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(log);
  }

  TempDir dir;
  std::string sqlite = "sqlite://" + dir.file("jobs.db");
  std::string output = dir.file("ran.txt");
  std::string log = dir.file("app.log");
};

TEST_F(cli_limits, RunOptionsOnePastTheirLimitsAreRefused) {
  refused({"-c", "10001"}, "10000");
  refused({"-c", "0"}, "-c");
  refused({"-q", "a,1000001"}, "not a whole number from 1 to 1000000");
  refused({"-q", "a,0"}, "from 1 to 1000000");
  refused({"-t", "0.0004"}, "-t 0.0004: less than a millisecond; give 0");
  refused({"-t", "1e300"}, "from 0 to a year");
  refused({"-q", std::string(257, 'q')}, "is 257 bytes long; the limit is 256 bytes");
}

TEST_F(cli_limits, RunOptionsAtTheirLimitsWork) {
  ASSERT_EQ(run_errand({"enqueue", "AppendWorker", "[1]", "-q", "heavy", "--url", sqlite}).status, 0);
  // -c at its maximum, 10,000 (500 under TSan, which cannot map more threads: see
  // most_threads_per_process).
  const std::string most = std::to_string(most_threads_per_process);
  runs({"--url", sqlite, "-c", most, "-t", "0", "-q", "heavy,1000000", "-q", "light"}, 1);
}

TEST_F(cli_limits, AConfigurationPastItsLimitsIsRefusedWithItsLine) {
  const std::string config = dir.file("errand.toml");
  write_file(config, "[service.worker.sqlite]\npath = \"" + dir.file("jobs.db") + "\"\nnum-workers = 10001\n");
  const CliResult r = run_program(CLI_APP, {"run", "--config", config});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("errand.toml:3: service.worker.sqlite.num-workers must be between 1 and 10000"),
                           HasSubstr("got 10001")));
}

class cli_pgmq_names : public cli_limits {
 protected:
  void SetUp() override { reset_postgres(); }
  std::string postgres = postgres_url();
  std::string longest = std::string(46, 'q') + "7";  // 47 characters, pgmq's limit
};

TEST_F(cli_pgmq_names, AQueueNamedWith47CharactersRunsEndToEnd) {
  for (const std::string args : {"[1]", "[2]"}) {
    const CliResult pushed = run_errand({"enqueue", "AppendWorker", args, "-q", longest, "--url", postgres});
    ASSERT_EQ(pushed.status, 0) << pushed.err;
  }
  runs({"--url", postgres, "-q", longest, "-t", "5"}, 2);
  EXPECT_THAT(lines_of(read_file(output)), ::testing::UnorderedElementsAre("[1]", "[2]"));
  const json::value queues = parsed(run_errand({"queues", "--json", "--url", postgres}));
  EXPECT_THAT(to_json(queues), HasSubstr(longest)) << "the queue is listed";
  EXPECT_EQ(parsed(run_errand({"stats", "--json", "--url", postgres})).at("enqueued"), 0) << "and empty";
}

TEST_F(cli_pgmq_names, AQueueNamedWith48CharactersIsRefusedNamingTheLimit) {
  const std::string too_long = longest + "8";
  const CliResult pushed = run_errand({"enqueue", "AppendWorker", "[]", "-q", too_long, "--url", postgres});
  EXPECT_EQ(pushed.status, 2);
  EXPECT_THAT(pushed.err, AllOf(HasSubstr("(it is 48 characters long)"), HasSubstr("1-47 characters")));
  const CliResult run = run_program(CLI_APP, {"run", "--url", postgres, "-q", too_long});
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("(it is 48 characters long)"));
  const std::string config = dir.file("errand.toml");
  write_file(config, "[service.worker.pg]\ndatabase.uri = \"" + postgres + "\"\nqueues = [\"" + too_long + "\"]\n");
  const CliResult configured = run_program(CLI_APP, {"run", "--config", config});
  EXPECT_EQ(configured.status, 2) << configured.err;
  EXPECT_THAT(configured.err, AllOf(HasSubstr("errand.toml:3: service.worker.pg.queues"), HasSubstr("48 characters")));
}

}  // namespace
}  // namespace errand::test
