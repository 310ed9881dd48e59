// The `errand` executable's command line: help, usage errors, store choice, exit codes.
#include "cli_support.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class cli_usage : public ::testing::Test {
 protected:
  TempDir dir;
  std::string sqlite = "sqlite://" + dir.file("jobs.db");
};

TEST_F(cli_usage, HelpListsTheCommandsAndExitsZero) {
  const CliResult help = run_errand({"--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* command : {"run", "enqueue", "stats", "queues", "clear", "retries", "dead", "scheduled"}) {
    EXPECT_THAT(help.out, HasSubstr(command));
  }
  EXPECT_THAT(help.out, HasSubstr("Exit status: 0 done, 1 could not be done"));
  const CliResult sub = run_errand({"retries", "--help"});
  EXPECT_EQ(sub.status, 0);
  EXPECT_THAT(sub.out, HasSubstr("delete"));
}

TEST_F(cli_usage, CommandLineMistakesExitTwoWithOneLine) {
  const std::vector<std::vector<std::string>> mistakes{
      {},
      {"stats", "--bogus"},
      {"frobnicate"},
      {"enqueue"},
      {"enqueue", "W", "[]", "--in", "5", "--at", "1700000000", "--url", sqlite},
      {"retries", "retry", "--url", sqlite},
      {"dead", "delete", "abc", "--all", "--url", sqlite},
      {"stats", "--store", "mysql"},
      {"stats", "--url", sqlite, "--url", sqlite},
  };
  for (const auto& args : mistakes) {
    const CliResult r = run_errand(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.status, 2) << shown << "\n" << r.err;
    EXPECT_THAT(r.err, StartsWith("errand: ")) << shown;
    EXPECT_EQ(lines_of(r.err).size(), 1U) << shown << "\n" << r.err;
    EXPECT_EQ(r.out, "") << shown;
  }
  EXPECT_THAT(run_errand({"retries", "retry", "--url", sqlite}).err,
              HasSubstr("name the jobs by jid (see `errand retries list`), or give --all"));
}

// Mistakes an adversarial run found slipping through or explained badly.
TEST_F(cli_usage, OutOfRangeAndEmptyValuesAreRefusedByName) {
  const auto refused = [&](const std::vector<std::string>& args, const std::string& says) {
    const CliResult r = run_errand(args);
    EXPECT_EQ(r.status, 2) << args.back() << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(says));
    EXPECT_EQ(lines_of(r.err).size(), 1U) << r.err;
    EXPECT_LT(r.err.size(), 300U) << "no 309-digit numbers: " << r.err;
  };
  refused({"enqueue", "W", "[]", "--at", "1e400", "--url", sqlite}, "--at inf is not a time errand can schedule");
  refused({"enqueue", "W", "[]", "--at", "-5", "--url", sqlite}, "epoch seconds between 0 and");
  refused({"enqueue", "W", "[]", "--in", "1e300", "--url", sqlite}, "--in 1e+300 is out of range");
  refused({"enqueue", "W", "[]", "-q", "", "--url", sqlite}, "a queue name must not be empty");
  refused({"dead", "list", "--limit", "-1", "--url", sqlite}, "--limit");
  refused({"dead", "list", "--limit", "0", "--url", sqlite}, "--limit");
  refused({"frobnicate", "--url", sqlite},
          "unknown command \"frobnicate\"; the commands are run, enqueue, stats, queues, clear, retries, dead, "
          "scheduled");
  refused({"--json", "stat"}, "unknown command \"stat\"");
  refused({"--store", "sqlite", "--json", "frob"}, "unknown command \"frob\"");
  EXPECT_EQ(run_errand({"--url", sqlite, "stats"}).status, 0) << "an option's value is not a command";
  EXPECT_EQ(run_errand({"--url=" + sqlite, "stats"}).status, 0) << "nor is the word after --url=VALUE";
}

TEST_F(cli_usage, UnknownStoreSchemeIsAUsageError) {
  const CliResult r = run_errand({"stats", "--url", "mysql://db/app"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith("errand: no store for URL \"mysql://db/app\"; use redis://"));
}

TEST_F(cli_usage, UnreachableStoreExitsOne) {
  const CliResult r = run_errand({"stats", "--url", "redis://127.0.0.1:1/0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, StartsWith("errand: "));
  EXPECT_THAT(r.err, HasSubstr("127.0.0.1:1"));
}

TEST_F(cli_usage, RunWithoutWorkersSaysHowToBuildAnApp) {
  const CliResult r = run_errand({"run", "--url", sqlite});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith("errand: `run` has no workers to run"));
  EXPECT_THAT(r.err, HasSubstr("errand::cli::main(argc, argv, registry)"));
}

TEST_F(cli_usage, BadQueueWeightIsAUsageError) {
  const CliResult r = run_program(CLI_APP, {"run", "--url", sqlite, "-q", "critical,x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith("errand: -q \"critical,x\": the weight \"x\" is not a whole number"));
}

TEST_F(cli_usage, CommonOptionsGoBeforeOrAfterTheCommand) {
  EXPECT_EQ(run_errand({"--json", "--url", sqlite, "queues"}).out, "[]\n");
  EXPECT_EQ(run_errand({"queues", "--json", "--url", sqlite}).out, "[]\n");
  EXPECT_EQ(run_errand({"retries", "list", "--url", sqlite, "--json"}).out,
            "{\"set\":\"retries\",\"size\":0,\"jobs\":[]}\n");
  EXPECT_EQ(run_errand({"queues", "--url", sqlite}).out, "no queue has received a job yet\n");
}

TEST_F(cli_usage, SeveralConfiguredStoresNeedStoreForAdminCommands) {
  const std::string config = dir.file("errand.toml");
  write_file(config, two_store_config(dir.file("jobs.db"), redis_url()));
  const CliResult ambiguous = run_errand({"stats", "--config", config});
  EXPECT_EQ(ambiguous.status, 2);
  EXPECT_THAT(ambiguous.err, StartsWith("errand: 2 stores are configured: redis (redis://"));
  EXPECT_THAT(ambiguous.err, HasSubstr("sqlite (sqlite://"));
  EXPECT_THAT(ambiguous.err, HasSubstr("choose one with --store NAME or --url URL"));

  flush_redis();
  ASSERT_EQ(run_errand({"enqueue", "W", "--config", config, "--store", "redis"}).status, 0);
  const CliResult from_env = run_errand({"stats", "--json", "--store", "sqlite"}, {"ERRAND_CONFIG=" + config});
  ASSERT_EQ(from_env.status, 0) << from_env.err;
  EXPECT_EQ(parsed(from_env).at("store").as_string(), "sqlite");
  EXPECT_EQ(parsed(from_env).at("enqueued"), 0);
  EXPECT_EQ(parsed(run_errand({"stats", "--json", "--config", config, "--store", "redis"})).at("enqueued"), 1);

  const CliResult none = run_errand({"stats", "--config", config, "--store", "postgres"});
  EXPECT_EQ(none.status, 2);
  EXPECT_THAT(none.err, StartsWith("errand: --store postgres matches no configured store (configured: redis"));
}

TEST_F(cli_usage, BadConfigurationFileIsAUsageError) {
  const std::string config = dir.file("bad.toml");
  write_file(config, "[service.worker]\nnum-workers = 0\n");
  const CliResult r = run_errand({"stats", "--config", config});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("num-workers must be between 1 and 10000"));
}

}  // namespace
}  // namespace errand::test
