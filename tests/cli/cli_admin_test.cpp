// The admin commands of the `errand` executable, run as a subprocess against SQLite,
// Redis and Postgres; the test sets up and inspects the same store in-process.
#include "cli_support.hpp"
#include "test_env.hpp"

#include <errand/errand.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace errand::test {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

const std::string owner = "cli-test:1:000000000000";

class cli_admin : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") {
      flush_redis();
      url = redis_url();
    } else if (GetParam() == "postgres") {
      reset_postgres();
      url = postgres_url();
    } else {
      url = "sqlite://" + dir.file("jobs.db");
    }
    store = connect(url);
  }

  CliResult errand(std::vector<std::string> args) {
    args.insert(args.end(), {"--url", url});
    return run_errand(args);
  }

  /// Takes the next job of `queue` (waiting up to 2 s), as a processor would.
  FetchedJob take(const std::string& queue) {
    std::vector<FetchedJob> jobs;
    eventually([&] {
      JobFetchParams params;
      params.queues = {queue};
      params.wait = std::chrono::milliseconds(100);
      params.owner = owner;
      jobs = store->job_fetch(params);
      return !jobs.empty();
    }, std::chrono::seconds(5));
    if (jobs.empty()) throw std::runtime_error("no job in queue " + queue);
    return jobs.front();
  }

  /// Enqueues a job through the CLI, then fails it once as a worker would: into the retry
  /// set for an hour (retry_count 2), or the dead set. Returns its jid.
  std::string failed_job(const std::string& marker, bool dead) {
    const CliResult pushed = errand({"enqueue", "FailingWorker", "[\"" + marker + "\"]", "--json"});
    EXPECT_EQ(pushed.status, 0) << pushed.err;
    const std::string jid(parsed(pushed).at("jid").as_string());
    const FetchedJob fetched = take("default");
    Job job = Job::parse(fetched.payload);
    job.set("retry_count", 2);
    job.set("error_class", "RuntimeError");
    job.set("error_message", json::string("boom " + marker));
    job.set("failed_at", epoch_seconds(Clock::now()));
    if (dead) {
      store->job_kill({fetched, job.dump(), Clock::now(), {}, owner});
    } else {
      store->job_retry({fetched, "default", job.dump(), Clock::now() + std::chrono::hours(1), owner});
    }
    return jid;
  }

  TempDir dir;
  std::string url;
  std::shared_ptr<Store> store;
};

TEST_P(cli_admin, EnqueuedJobsShowInQueuesAndStats) {
  const CliResult pushed = errand({"enqueue", "InvoiceWorker", "[42, {\"customer\": \"ACME\"}]", "-q", "billing"});
  ASSERT_EQ(pushed.status, 0) << pushed.err;
  EXPECT_THAT(pushed.out, MatchesRegex("enqueued InvoiceWorker jid [0-9a-f]{24} to queue billing\n"));
  ASSERT_EQ(errand({"enqueue", "Other", "--json"}).status, 0);

  const CliResult queues = errand({"queues"});
  ASSERT_EQ(queues.status, 0) << queues.err;
  EXPECT_EQ(queues.out, "QUEUE    SIZE\nbilling  1\ndefault  1\n");
  const json::value queues_json = parsed(errand({"queues", "--json"}));
  EXPECT_EQ(queues_json, parse_json(R"([{"name":"billing","size":1},{"name":"default","size":1}])"));

  const CliResult stats = errand({"stats", "--json"});
  ASSERT_EQ(stats.status, 0) << stats.err;
  const json::value s = parsed(stats);
  EXPECT_EQ(s.at("store").as_string(), GetParam());
  EXPECT_EQ(s.at("enqueued"), 2);
  EXPECT_EQ(s.at("queues"), parse_json(R"({"billing":1,"default":1})"));
  EXPECT_EQ(s.at("retries"), 0);
  EXPECT_EQ(s.at("dead"), 0);
  EXPECT_EQ(s.at("processed"), 0);
  const CliResult text = errand({"stats"});
  EXPECT_THAT(text.out, HasSubstr("enqueued   2\n"));
  EXPECT_THAT(text.out, HasSubstr("\nQUEUE    SIZE\nbilling  1\n"));

  // What the CLI pushed is a normal job: a worker reads it back.
  const Job job = Job::parse(take("billing").payload);
  EXPECT_EQ(job.class_name(), "InvoiceWorker");
  EXPECT_EQ(json::value(job.args()), parse_json(R"([42, {"customer": "ACME"}])"));
  EXPECT_EQ(*job.find("retry"), true);
}

TEST_P(cli_admin, ScheduledJobsCanBeListedAndRunNow) {
  const CliResult pushed = errand({"enqueue", "Later", "[1]", "--in", "3600", "--retry", "3", "--json"});
  ASSERT_EQ(pushed.status, 0) << pushed.err;
  const json::value p = parsed(pushed);
  const std::string jid(p.at("jid").as_string());
  EXPECT_TRUE(p.at("at").is_string());
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);

  const json::value listed = parsed(errand({"scheduled", "list", "--json"}));
  EXPECT_EQ(listed.at("size"), 1);
  ASSERT_EQ(listed.at("jobs").as_array().size(), 1U);
  EXPECT_EQ(listed.at("jobs").at(0).at("jid").as_string(), jid);
  EXPECT_NEAR(listed.at("jobs").at(0).at("at_epoch").to_number<double>(), epoch_seconds(Clock::now()) + 3600, 60);

  const CliResult now = errand({"scheduled", "retry", jid});
  ASSERT_EQ(now.status, 0) << now.err;
  EXPECT_EQ(now.out, "moved 1 job(s) to their queues from the scheduled set\n");
  const Job job = Job::parse(take("default").payload);
  EXPECT_EQ(job.jid(), jid);
  EXPECT_EQ(*job.find("retry"), 3);
  EXPECT_EQ(test::admin(*store).set_size({JobSet::scheduled}), 0);
}

TEST_P(cli_admin, RetriesAreListedRetriedAndDeleted) {
  const std::string first = failed_job("one", false);
  const std::string second = failed_job("two", false);

  const CliResult list = errand({"retries", "list"});
  ASSERT_EQ(list.status, 0) << list.err;
  const auto lines = lines_of(list.out);
  ASSERT_EQ(lines.size(), 3U) << list.out;
  EXPECT_THAT(lines[0], MatchesRegex("JID +CLASS +QUEUE +AT +RETRIES +ERROR"));
  EXPECT_THAT(lines[1], MatchesRegex(first + "  FailingWorker  default  [0-9-]+T[0-9:]+Z  2 +RuntimeError: boom one"));
  EXPECT_THAT(lines[2], HasSubstr(second));

  const json::value listed = parsed(errand({"retries", "list", "--json", "--limit", "1"}));
  EXPECT_EQ(listed.at("size"), 2);
  ASSERT_EQ(listed.at("jobs").as_array().size(), 1U);
  EXPECT_EQ(listed.at("jobs").at(0).at("error_message").as_string(), "boom one");
  EXPECT_EQ(listed.at("jobs").at(0).at("job").at("args"), parse_json(R"(["one"])"));

  const CliResult retried = errand({"retries", "retry", first, "--json"});
  ASSERT_EQ(retried.status, 0) << retried.err;
  EXPECT_EQ(parsed(retried), parse_json(R"({"set":"retries","action":"retry","count":1,"missing":[]})"));
  const Job back = Job::parse(take("default").payload);
  EXPECT_EQ(back.jid(), first);
  EXPECT_EQ(back.retry_count(), 1) << "a manual retry does not use up an attempt";

  const CliResult deleted = errand({"retries", "delete", second});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "deleted 1 job(s) from the retry set\n");
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0);

  const CliResult missing = errand({"retries", "delete", second});
  EXPECT_EQ(missing.status, 1);
  // The last line: the Postgres store lets libpq print the server's NOTICEs to stderr.
  ASSERT_FALSE(lines_of(missing.err).empty());
  EXPECT_EQ(lines_of(missing.err).back(), "errand: no job with jid " + second +
                                              " in the retry set; `errand retries list` shows the jobs there");
  EXPECT_EQ(parsed(errand({"stats", "--json"})).at("retries"), 0);
}

TEST_P(cli_admin, DeadJobsAreListedRetriedAndDeletedAll) {
  const std::string first = failed_job("one", true);
  failed_job("two", true);
  failed_job("three", true);
  const json::value listed = parsed(errand({"dead", "list", "--json"}));
  EXPECT_EQ(listed.at("size"), 3);
  EXPECT_EQ(listed.at("jobs").as_array().size(), 3U);
  EXPECT_EQ(parsed(errand({"stats", "--json"})).at("dead"), 3);

  ASSERT_EQ(errand({"dead", "retry", first}).status, 0);
  EXPECT_EQ(Job::parse(take("default").payload).jid(), first);

  const CliResult all = errand({"dead", "delete", "--all"});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(all.out, "deleted 2 job(s) from the dead set\n");
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0);
  EXPECT_EQ(errand({"dead", "list"}).out, "the dead set is empty\n");
}

TEST_P(cli_admin, ClearEmptiesOneQueue) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(errand({"enqueue", "W", "[]", "-q", "bulk"}).status, 0);
  ASSERT_EQ(errand({"enqueue", "W"}).status, 0);
  const CliResult cleared = errand({"clear", "bulk"});
  ASSERT_EQ(cleared.status, 0) << cleared.err;
  EXPECT_EQ(cleared.out, "cleared 3 job(s) from queue bulk\n");
  EXPECT_EQ(test::admin(*store).queue_size({"bulk"}), 0);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << "other queues are left alone";
  EXPECT_EQ(parsed(errand({"clear", "default", "--json"})), parse_json(R"({"queue":"default","cleared":1})"));
}

TEST_P(cli_admin, BadArgumentsEnqueueNothing) {
  const CliResult bad = errand({"enqueue", "W", "[1,"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, MatchesRegex("errand: ARGS_JSON \"\\[1,\" is not valid JSON .*; give the job's arguments as a "
                                    "JSON array, e.g. '\\[42, \"x\"\\]'\n"));
  const CliResult object = errand({"enqueue", "W", "{\"a\": 1}"});
  EXPECT_EQ(object.status, 2);
  EXPECT_THAT(object.err, HasSubstr("must be a JSON array"));
  const CliResult retry = errand({"enqueue", "W", "[]", "--retry", "maybe"});
  EXPECT_EQ(retry.status, 2);
  EXPECT_THAT(retry.err, HasSubstr("--retry is \"maybe\""));
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_TRUE(test::admin(*store).queue_names().empty());
}

TEST_P(cli_admin, DeadListJsonStaysValidJsonWhateverThePayloadHolds) {
  const std::string raw = "not json \xff\xfe\x01 \"quoted\"";
  if (!store->capabilities().verbatim_payloads) {
    // Postgres keeps jobs as jsonb: such a payload never gets into its dead set.
    EXPECT_THROW(store->job_insert_many({{{"", "default", raw, std::nullopt}}}), PayloadError);
    return;
  }
  store->job_insert_many({{{"", "default", raw, std::nullopt}}});
  const FetchedJob fetched = take("default");
  store->job_kill({fetched, fetched.payload, Clock::now(), {}, owner});
  const CliResult listed = errand({"dead", "list", "--json"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  const json::value report = parsed(listed);  // fails on invalid UTF-8
  EXPECT_EQ(report.at("jobs").as_array().at(0).at("job"), json::value("not json \xEF\xBF\xBD\xEF\xBF\xBD\x01 \"quoted\""));
}

// A pgmq.meta row that names no table errand can use (pgmq's names are lower case) is
// left out of `queues` and `stats` with a note, rather than failing both commands.
TEST(cli_admin_postgres, AnUnusableMetaRowIsSkippedAndReported) {
  reset_postgres();
  const std::string url = postgres_url();
  (void)Client{connect(url)}.enqueue_raw("W", "default", {1});
  postgres_query("INSERT INTO pgmq.meta (queue_name, is_partitioned, is_unlogged) VALUES ('Default', false, false)");
  for (const char* command : {"queues", "stats"}) {
    const CliResult r = run_errand({command, "--json", "--url", url});
    EXPECT_EQ(r.status, 0) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("errand: skipped queue \"Default\": errand: \"Default\" cannot name a queue on "
                                 "Postgres"));
    EXPECT_THAT(r.out, HasSubstr("\"default\""));
  }
}

TEST(cli_admin_redis, TheUrlsNamespaceAndPoolSizesApplyToCommands) {
  flush_redis();
  const std::string url = redis_url() + "?namespace=cli-ns&pool_size=1&fetch_pool_size=1";
  const CliResult pushed = run_errand({"enqueue", "W", "[7]", "--url", url});
  ASSERT_EQ(pushed.status, 0) << pushed.err;
  EXPECT_EQ(raw_redis()->run({"LLEN", "cli-ns:queue:default"}).as_integer(), 1);
  EXPECT_EQ(raw_redis()->run({"EXISTS", "queue:default"}).as_integer(), 0);
  const CliResult queues = run_errand({"queues", "--json", "--url", url});
  ASSERT_EQ(queues.status, 0) << queues.err;
  EXPECT_THAT(queues.out, HasSubstr("\"default\""));
}

INSTANTIATE_TEST_SUITE_P(Stores, cli_admin, ::testing::Values("sqlite", "redis", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace errand::test
