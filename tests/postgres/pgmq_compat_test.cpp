// pgmq compatibility: errand's tables are pgmq's, pgmq-style SQL reads errand's jobs,
// and Roadster's envelope travels both ways.
#include <errand/errand.hpp>

#include <boost/describe.hpp>
#include <errand/config.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>
#include <errand/worker.hpp>

#include "postgres_fixture.hpp"
#include "recorder.hpp"

namespace errand::pgmq_compat_test {

struct EmailArgs {
  std::string to;
  int attempt = 0;
};
BOOST_DESCRIBE_STRUCT(EmailArgs, (), (to, attempt))

/// As a Roadster app would name it: worker_name is the Rust type's name.
struct SendEmail : Worker<SendEmail> {
  static constexpr std::string_view class_name = "SendEmail";
  static inline test::Recorder seen;
  static JobOptions options() { return {.format = JobFormat::roadster}; }
  void perform(const EmailArgs& args) { seen.add(args.to + "#" + std::to_string(args.attempt)); }
};

namespace {

using Rows = std::vector<std::string>;

class PgmqCompatTest : public test::PostgresTest {
 protected:
  static constexpr const char* owner = "tester:1:000000000000";

  /// Enqueues one job of `class_name` on "default" and fetches what is ready there.
  std::vector<FetchedJob> enqueue_and_fetch(const std::string& class_name) {
    (void)Client{store}.enqueue_raw(class_name, "default", {1});
    JobFetchParams params;
    params.queues = {"default"};
    params.owner = owner;
    return store->job_fetch(params);
  }

  static ProcessorOptions processor_options() {
    ProcessorOptions o;
    o.concurrency = 2;
    o.logger = null_logger();
    o.shutdown_timeout = std::chrono::seconds(5);
    return o;
  }
};

TEST_F(PgmqCompatTest, QueuesGetPgmqsTablesColumnsAndIndexes) {
  Client client{store};
  (void)client.enqueue_raw("Job", "mailers", {1});
  EXPECT_EQ(query("SELECT queue_name || ':' || is_partitioned || ':' || is_unlogged FROM pgmq.meta"),
            Rows{"mailers:false:false"});
  EXPECT_EQ(query("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM "
                  "information_schema.columns WHERE table_schema = 'pgmq' AND table_name = 'q_mailers'"),
            Rows{"msg_id bigint, read_ct integer, enqueued_at timestamp with time zone, vt timestamp with time zone, "
                 "message jsonb, headers jsonb"});
  EXPECT_EQ(query("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM "
                  "information_schema.columns WHERE table_schema = 'pgmq' AND table_name = 'a_mailers'"),
            Rows{"msg_id bigint, read_ct integer, enqueued_at timestamp with time zone, archived_at timestamp with "
                 "time zone, vt timestamp with time zone, message jsonb, headers jsonb"});
  EXPECT_EQ(query("SELECT indexname FROM pg_indexes WHERE schemaname = 'pgmq' AND indexname LIKE '%mailers%' AND indexname NOT LIKE '%pkey' "
                  "ORDER BY 1"),
            (Rows{"archived_at_idx_mailers", "q_mailers_vt_idx"}));
  EXPECT_EQ(query("SELECT is_identity FROM information_schema.columns WHERE table_schema = 'pgmq' AND "
                  "table_name = 'q_mailers' AND column_name = 'msg_id'"),
            Rows{"YES"});
}

TEST_F(PgmqCompatTest, PgmqsReadAndArchiveWorkOnErrandsJobs) {
  Client client{store};
  const auto jid = client.enqueue_raw("HardJob", "default", {1, "two"});
  // pgmq.read's statement: the oldest visible message, leased for 30 s.
  const Rows read = query(
      "WITH cte AS (SELECT msg_id FROM pgmq.q_default WHERE vt <= clock_timestamp() ORDER BY msg_id LIMIT 1 "
      "FOR UPDATE SKIP LOCKED) UPDATE pgmq.q_default m SET vt = clock_timestamp() + interval '30 seconds', "
      "read_ct = read_ct + 1 FROM cte WHERE m.msg_id = cte.msg_id "
      "RETURNING m.message->>'class' || ' ' || (m.message->'args')::text || ' ' || (m.message->>'jid') || ' ' || m.read_ct");
  EXPECT_EQ(read, Rows{"HardJob [1, \"two\"] " + *jid + " 1"});
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0) << "leased by the pgmq reader";
}

TEST_F(PgmqCompatTest, RoadsterEnvelopesRunOnErrandWorkers) {
  SendEmail::seen.clear();
  // What Roadster's pgmq.send writes: {"metadata": {"id", "worker_name"}, "args": Args}.
  Client client{store};
  (void)client.enqueue_raw("Warmup", "default", {});  // creates the queue
  (void)query("DELETE FROM pgmq.q_default");
  (void)query(R"(INSERT INTO pgmq.q_default (vt, message) VALUES (clock_timestamp(), '{"metadata": {"id": )"
              R"("0191a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b", "worker_name": "SendEmail"}, "args": {"to": "a@example.com", )"
              R"("attempt": 2, "extra": "ignored"}}'))");
  Processor processor(store, processor_options());
  processor.register_worker<SendEmail>();
  processor.start();
  ASSERT_TRUE(test::eventually([] { return SendEmail::seen.size() == 1; }));
  processor.stop();
  EXPECT_EQ(SendEmail::seen.get(), Rows{"a@example.com#2"});
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.q_default"), Rows{"0"}) << "deleted on success, as Roadster does";
}

TEST_F(PgmqCompatTest, ErrandWritesRoadsterEnvelopesForRoadsterWorkers) {
  Client client{store};
  const auto id = client.enqueue<SendEmail>(EmailArgs{"b@example.com", 1});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->size(), 36U) << "a UUID, as Roadster's job ids";
  EXPECT_EQ(id->at(14), '7') << "version 7";
  EXPECT_EQ(query("SELECT message::text FROM pgmq.q_default"),
            Rows{R"({"args": {"to": "b@example.com", "attempt": 1}, "metadata": {"id": ")" + *id +
                 R"(", "worker_name": "SendEmail"}})"});
}

TEST_F(PgmqCompatTest, AFailingRoadsterJobRetriesInItsQueueWithItsErrorRecorded) {
  Client client{store};
  (void)client.enqueue_raw("Warmup", "emails", {});
  (void)query("DELETE FROM pgmq.q_emails");
  (void)query(R"(INSERT INTO pgmq.q_emails (vt, message) VALUES (clock_timestamp(), '{"metadata": {"id": "x1", )"
              R"("worker_name": "SendEmail"}, "args": {"to": 42}}'))");
  ProcessorOptions o = processor_options();
  o.queues = {"emails"};
  Processor processor(store, o);
  processor.register_worker<SendEmail>();
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::retry}) == 1; }));
  processor.stop();
  const Job retried = Job::parse(test::admin(*store).set_list({JobSet::retry, 1}).at(0).payload);
  EXPECT_TRUE(retried.is_roadster_envelope()) << "still Roadster's shape";
  EXPECT_EQ(retried.class_name(), "SendEmail");
  EXPECT_EQ(retried.jid(), "x1");
  EXPECT_EQ(retried.retry_count(), 0);
  EXPECT_NE(retried.find("error_message"), nullptr);
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.q_emails WHERE read_ct = 0 AND vt > clock_timestamp()"), Rows{"1"});
}

TEST_F(PgmqCompatTest, AnExistingPgmqInstallationIsUsedAsItIs) {
  store.reset();
  test::reset_postgres();
  // What pgmq's own install leaves: its catalog, a queue with a message, and pgmq.create.
  (void)query("CREATE SCHEMA pgmq");
  (void)query("CREATE TABLE pgmq.meta (queue_name varchar UNIQUE NOT NULL, is_partitioned boolean NOT NULL, "
              "is_unlogged boolean NOT NULL, created_at timestamptz DEFAULT now() NOT NULL)");
  (void)query("CREATE TABLE pgmq.created (queue_name text)");
  (void)query(R"(CREATE FUNCTION pgmq.create(queue_name text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO pgmq.created VALUES (queue_name);
      EXECUTE format('CREATE TABLE IF NOT EXISTS pgmq.%I (msg_id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, '
                     'read_ct int DEFAULT 0 NOT NULL, enqueued_at timestamptz DEFAULT now() NOT NULL, '
                     'vt timestamptz NOT NULL, message jsonb, headers jsonb)', 'q_' || queue_name);
      EXECUTE format('CREATE TABLE IF NOT EXISTS pgmq.%I (msg_id bigint PRIMARY KEY, read_ct int DEFAULT 0 NOT NULL, '
                     'enqueued_at timestamptz DEFAULT now() NOT NULL, archived_at timestamptz DEFAULT now() NOT NULL, '
                     'vt timestamptz NOT NULL, message jsonb, headers jsonb)', 'a_' || queue_name);
      INSERT INTO pgmq.meta VALUES (queue_name, false, false) ON CONFLICT DO NOTHING;
    END $$)");
  (void)query("SELECT pgmq.create('legacy')");
  (void)query(R"(INSERT INTO pgmq.q_legacy (vt, message) VALUES (now(), '{"class": "Old", "args": [7], "jid": "j7"}'))");
  store = connect_postgres(options());
  Client client{store};
  (void)client.enqueue_raw("New", "fresh", {});
  EXPECT_EQ(query("SELECT queue_name FROM pgmq.created ORDER BY 1"), (Rows{"fresh", "legacy"}))
      << "errand created its queue with pgmq.create";
  EXPECT_EQ(test::admin(*store).queue_names(), (Rows{"fresh", "legacy"}));
  JobFetchParams params;
  params.queues = {"legacy"};
  params.owner = "tester:1:000000000000";
  const auto jobs = store->job_fetch(params);
  ASSERT_EQ(jobs.size(), 1U);
  EXPECT_EQ(Job::parse(jobs[0].payload).jid(), "j7");
}

TEST_F(PgmqCompatTest, TablesWithoutHeadersGiveAClearError) {
  store.reset();
  test::reset_postgres();
  (void)query("CREATE SCHEMA pgmq");
  (void)query("CREATE TABLE pgmq.meta (queue_name varchar UNIQUE NOT NULL, is_partitioned boolean NOT NULL, "
              "is_unlogged boolean NOT NULL, created_at timestamptz DEFAULT now() NOT NULL)");
  (void)query("CREATE TABLE pgmq.q_old (msg_id bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, read_ct int DEFAULT 0 "
              "NOT NULL, enqueued_at timestamptz DEFAULT now() NOT NULL, vt timestamptz NOT NULL, message jsonb)");
  store = connect_postgres(options());
  Client client{store};
  try {
    (void)client.enqueue_raw("Job", "old", {});
    FAIL() << "expected an error";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("older than 1.5"), std::string::npos) << e.what();
  }
}

TEST_F(PgmqCompatTest, ArchiveOnSuccessKeepsFinishedJobsInTheArchive) {
  store.reset();
  PostgresOptions o = options();
  o.on_success = PostgresOptions::Completion::archive;
  store = connect_postgres(o);
  const auto jobs = enqueue_and_fetch("Done");
  ASSERT_EQ(jobs.size(), 1U);
  store->job_complete({jobs, owner});
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.q_default"), Rows{"0"});
  EXPECT_EQ(query("SELECT message->>'class' || ' ' || read_ct FROM pgmq.a_default"), Rows{"Done 1"});
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0) << "finished, not dead";
}

TEST_F(PgmqCompatTest, TheConfigurationsPgSettingsReachTheStore) {
  store.reset();
  const Config config = Config::from_toml_string("[service.worker.pg]\ndatabase.uri = \"" + test::postgres_url() +
                                                     "\"\nvisibility-timeout = 7\n"
                                                     "[service.worker.worker-config.pg]\nsuccess-action = \"archive\"\n",
                                                 "errand.toml", Environment::from_map({}));
  ASSERT_EQ(config.backends.size(), 1U);
  ASSERT_EQ(config.backends[0].kind, BackendConfig::Kind::postgres);
  store = connect(config.backends[0]);
  const auto jobs = enqueue_and_fetch("Done");
  ASSERT_EQ(jobs.size(), 1U);
  EXPECT_EQ(query("SELECT round(extract(epoch FROM vt - clock_timestamp()))::int FROM pgmq.q_default"), Rows{"7"})
      << "visibility-timeout = 7";
  store->job_complete({jobs, owner});
  EXPECT_EQ(query("SELECT message->>'class' FROM pgmq.a_default"), Rows{"Done"}) << "success-action = \"archive\"";
}

TEST_F(PgmqCompatTest, AProcessorRefusesQueueNamesPgmqCannotHold) {
  ProcessorOptions o = processor_options();
  o.queues = {"default", "Bad-Name"};
  Processor processor(store, o);
  try {
    processor.start();
    FAIL() << "expected an error";
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("\"bad_name\""), std::string::npos) << "suggests a name: " << e.what();
  }
}

}  // namespace
}  // namespace errand::pgmq_compat_test
