// Deterministic fault injection, store by store: the wrapper itself, all-or-nothing bulk
// inserts, a SQL NULL message, late acknowledgements after a rescue or a lease's end.
#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/postgres.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "fault_injecting_store.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <unistd.h>
#include <thread>

namespace errand::test {
namespace {

using conformance::StoreFactory;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Call = StoreCall;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr seconds deadline{20};

StoreFactory factory(std::string_view name) {
  for (auto& f : conformance::store_factories()) {
    if (f.name == name) return f;
  }
  throw std::logic_error("no store factory " + std::string(name));
}

JobInsert job(const std::string& jid, const std::string& queue) {
  return {jid, queue, to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", queue}, {"jid", jid}}),
          std::nullopt};
}

std::vector<FetchedJob> fetch(Store& store, const std::string& owner) {
  JobFetchParams params;
  params.queues = {"default"};
  params.max = 10;
  params.owner = owner;
  return store.job_fetch(params);
}

// --- The wrapper --------------------------------------------------------------------

TEST(FaultInjectingStore, CountsCallsAndFailsTheChosenOnes) {
  auto faults = std::make_shared<FaultInjectingStore>(make_memory_store());
  faults->fail_call(Call::job_insert_many, 2);
  faults->job_insert_many({{job("a", "default")}});
  EXPECT_THROW(faults->job_insert_many({{job("b", "default")}}), ConnectionError);
  faults->job_insert_many({{job("c", "default")}});
  EXPECT_EQ(faults->calls(Call::job_insert_many), 3U);
  EXPECT_EQ(faults->failures(Call::job_insert_many), 1U);
  EXPECT_EQ(admin(*faults).queue_size({"default"}), 2) << "a failed call never reaches the store";

  faults->fail_next(Call::job_complete, 2, raise<StoreError>("mine"));
  EXPECT_THROW(faults->job_complete({}), StoreError);
  EXPECT_THROW(faults->job_complete({}), StoreError);
  EXPECT_NO_THROW(faults->job_complete({}));
  EXPECT_EQ(faults->failures(Call::job_complete), 2U);

  const auto jobs = fetch(*faults, "o");
  EXPECT_EQ(jobs.size(), 2U);
  EXPECT_EQ(faults->fetches_of("a"), 1U);
  EXPECT_EQ(faults->fetches_of("c"), 1U);
  EXPECT_EQ(faults->fetches_of("b"), 0U);
  ASSERT_EQ(faults->fetch_records().size(), 1U);
  EXPECT_EQ(faults->fetch_records()[0].jids, (std::vector<std::string>{"a", "c"}));
}

TEST(FaultInjectingStore, AStalledCallWaitsUntilReleasedOrStopped) {
  auto faults = std::make_shared<FaultInjectingStore>(make_memory_store());
  faults->stall_next(Call::job_insert_many, 1);
  std::atomic<bool> done{false};
  std::thread inserter([&] {
    faults->job_insert_many({{job("a", "default")}});
    done = true;
  });
  ASSERT_TRUE(eventually([&] { return faults->stalled(Call::job_insert_many) == 1; }, deadline));
  EXPECT_FALSE(done.load());
  EXPECT_EQ(admin(*faults).queue_size({"default"}), 0) << "not in the store while stalled";
  faults->release(Call::job_insert_many);
  inserter.join();
  EXPECT_EQ(admin(*faults).queue_size({"default"}), 1);

  faults->stall_next(Call::process_beat, 1);
  std::thread beater([&] { ProcessBeatParams params;
    params.identity = "x";
    (void)faults->process_beat(params); });
  ASSERT_TRUE(eventually([&] { return faults->stalled(Call::process_beat) == 1; }, deadline));
  faults->stop();
  beater.join();
  EXPECT_EQ(faults->stalled(Call::process_beat), 0U);

  // A stalled fetch also ends when its own stop token fires.
  auto fresh = std::make_shared<FaultInjectingStore>(make_memory_store());
  fresh->stall_next(Call::job_fetch, 1);
  std::stop_source stop;
  std::thread fetcher([&] {
    JobFetchParams params;
    params.queues = {"default"};
    params.stop = stop.get_token();
    (void)fresh->job_fetch(params);
  });
  ASSERT_TRUE(eventually([&] { return fresh->stalled(Call::job_fetch) == 1; }, deadline));
  stop.request_stop();
  fetcher.join();
  EXPECT_EQ(fresh->calls(Call::job_fetch), 1U);
}

// --- 5. All-or-nothing bulk insert --------------------------------------------------

class BulkInsert : public ::testing::Test {
 protected:
  void use(std::string_view name) {
    f = factory(name);
    store = f.make(scratch);
  }
  void TearDown() override { store.reset(); }
  std::int64_t queued(const std::string& queue) { return admin(*store).queue_size({queue}); }
  const test::TempDir scratch;  // the store's files, if it keeps any
  StoreFactory f;
  std::shared_ptr<Store> store;
};

TEST_F(BulkInsert, OnPostgresAQueueNameItCannotHoldRefusesTheWholeBatch) {
  use("postgres");
  for (const std::string& bad : std::vector<std::string>{"Uppercase", std::string(48, 'q')}) {
    EXPECT_THROW(store->job_insert_many({{job("a", "default"), job("b", "other"), job("c", bad)}}), ArgumentError)
        << bad;
    EXPECT_EQ(queued("default"), 0) << bad;
    EXPECT_EQ(queued("other"), 0) << bad;
  }
}

TEST_F(BulkInsert, OnPostgresAPayloadTheServerRefusesMidBatchRollsBackTheOtherQueues) {
  use("postgres");
  JobInsertManyParams params{{job("a", "alpha"), job("b", "alpha"), job("c", "beta")}};
  params.jobs[2].payload = "not json";  // jsonb refuses it, in the second INSERT of the pipeline
  EXPECT_THROW(store->job_insert_many(params), PayloadError);
  EXPECT_EQ(queued("alpha"), 0);
  EXPECT_EQ(queued("beta"), 0);
  EXPECT_EQ(postgres_query("SELECT count(*) FROM pgmq.q_alpha"), std::vector<std::string>{"0"});
}

TEST_F(BulkInsert, OnSqliteARowRefusedMidBatchRollsBackTheWholeBatch) {
  use("sqlite");
  // A trigger in the store's own file refuses one row, as a full disk or a constraint would.
  sqlite3* db = nullptr;
  const std::string path = scratch.file("jobs.db");  // the conformance factory's file
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db,
                              "CREATE TRIGGER refuse BEFORE INSERT ON errand_jobs WHEN NEW.payload LIKE '%\"refuse-me\"%' "
                              "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
                              nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  EXPECT_THROW(store->job_insert_many({{job("a", "default"), job("b", "other"), job("refuse-me", "default"),
                                        job("d", "other")}}),
               StoreError);
  EXPECT_EQ(queued("default"), 0);
  EXPECT_EQ(queued("other"), 0);
  store->job_insert_many({{job("a", "default"), job("b", "other")}});  // the store still works
  EXPECT_EQ(queued("default"), 1);
}

TEST_F(BulkInsert, OnRedisAKeyOfAnotherTypeRefusesTheWholeBatchNamingTheKey) {
  use("redis");
  // Redis has no rollback: the batch's script checks every key it writes before the
  // first write. A queue, the queues set or the schedule of the wrong type refuses all.
  auto raw = raw_redis();
  JobInsert later = job("d", "default");
  later.run_at = std::chrono::system_clock::now() + std::chrono::hours(1);
  const JobInsertManyParams batch{{job("a", "alpha"), job("b", "beta"), job("c", "beta"), later}};
  for (const std::string key : {"queue:beta", "queues", "schedule"}) {
    (void)raw->run({"SET", key, "not what errand expects"});
    try {
      store->job_insert_many(batch);
      ADD_FAILURE() << key << ": the batch was taken";
    } catch (const StoreError& e) {
      EXPECT_THAT(e.what(), AllOf(HasSubstr("WRONGTYPE " + key + " holds a string"),
                                  HasSubstr("none of this batch was enqueued"), HasSubstr("delete or rename")));
    }
    EXPECT_EQ(raw->run({"TYPE", key}).text(), "string") << key;
    EXPECT_EQ(raw->run({"EXISTS", "queue:alpha", "queue:beta", "schedule", "queues"}).as_integer(), 1) << key;
    (void)raw->run({"DEL", key});
  }
  store->job_insert_many(batch);  // with the keys gone, the same batch goes in whole
  EXPECT_EQ(queued("alpha"), 1);
  EXPECT_EQ(queued("beta"), 2);
  EXPECT_EQ(admin(*store).set_size({JobSet::scheduled}), 1);
  EXPECT_THAT(admin(*store).queue_names(), ::testing::IsSupersetOf({"alpha", "beta"}));
}

TEST_F(BulkInsert, OnRedisABatchForOneQueueIsItsOneLpushWhole) {
  use("redis");
  // One LPUSH is applied or refused whole by Redis itself; the SADD of the queue's name
  // before it does not decide: with `queues` broken the jobs are in, and no error says
  // otherwise (a retried push would run them twice).
  auto raw = raw_redis();
  const JobInsertManyParams batch{{job("a", "alpha"), job("b", "alpha")}};
  (void)raw->run({"SET", "queue:alpha", "not a list"});
  EXPECT_THROW(store->job_insert_many(batch), StoreError);
  EXPECT_EQ(raw->run({"TYPE", "queue:alpha"}).text(), "string");
  (void)raw->run({"DEL", "queue:alpha"});
  (void)raw->run({"SET", "queues", "not a set"});
  EXPECT_NO_THROW(store->job_insert_many(batch));
  EXPECT_EQ(raw->run({"LLEN", "queue:alpha"}).as_integer(), 2);
  (void)raw->run({"DEL", "queues"});
}

TEST_F(BulkInsert, OnRedisABatchLargerThanOneScriptSliceKeepsItsOrder) {
  use("redis");
  // The script passes arguments to Redis in slices of 1,000; 2,500 jobs on one queue
  // and 1,500 scheduled cross two slice ends each.
  JobInsertManyParams batch;
  const auto at = std::chrono::system_clock::now() + std::chrono::hours(1);
  for (int i = 0; i < 2'500; ++i) batch.jobs.push_back(job("q" + std::to_string(i), "default"));
  for (int i = 0; i < 1'500; ++i) {
    batch.jobs.push_back(job("s" + std::to_string(i), "default"));
    batch.jobs.back().run_at = at + std::chrono::seconds(i);
  }
  store->job_insert_many(batch);
  EXPECT_EQ(queued("default"), 2'500);
  EXPECT_EQ(admin(*store).set_size({JobSet::scheduled}), 1'500);
  auto raw = raw_redis();
  EXPECT_EQ(raw->run({"LINDEX", "queue:default", "-1"}).text(), batch.jobs[0].payload) << "the first pushed runs first";
  EXPECT_EQ(raw->run({"LINDEX", "queue:default", "0"}).text(), batch.jobs[2'499].payload);
}

// --- 6. A SQL NULL message on Postgres ----------------------------------------------

TEST(PostgresNullMessage, GoesToTheDeadSetOnceWithAClearError) {
  const StoreFactory f = factory("postgres");
  const test::TempDir scratch;
  auto store = f.make(scratch);
  Client{store}.enqueue_raw("Ok", "default", {1});  // makes the queue, and runs first
  (void)postgres_query("INSERT INTO pgmq.q_default (vt, message) VALUES (clock_timestamp(), NULL) RETURNING msg_id");
  auto faults = std::make_shared<FaultInjectingStore>(store);
  auto logger = std::make_shared<CapturingLogger>();
  ProcessorOptions options = conformance::quick_options(1);
  options.logger = logger;
  std::atomic<int> ok{0};
  Processor processor(faults, options);
  processor.register_handler("Ok", [&](const Job&, Context&) { ++ok; });
  processor.start();
  ASSERT_TRUE(eventually([&] { return admin(*store).set_size({JobSet::dead}) == 1 && ok == 1; }, deadline))
      << logger->joined();
  ASSERT_TRUE(eventually([&] { return postgres_query("SELECT count(*) FROM pgmq.q_default") == std::vector<std::string>{"0"}; },
                         deadline));
  processor.stop();
  EXPECT_EQ(faults->fetches_of(""), 1U) << "the NULL message, fetched once";
  EXPECT_EQ(admin(*store).set_list({JobSet::dead, 10}).at(0).payload, "null");
  EXPECT_EQ(logger->count("unreadable job"), 1U) << logger->joined();
  EXPECT_EQ(logger->count("moved to the dead set as it was fetched"), 1U) << logger->joined();
  EXPECT_EQ(admin(*store).set_size({JobSet::retry}), 0);
}

// --- 7. A late acknowledgement after a rescue ---------------------------------------

class LateAcknowledgement : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store = GetParam().make(scratch); }
  void TearDown() override { store.reset(); }
  const test::TempDir scratch;  // the store's files, if it keeps any
  std::shared_ptr<Store> store;
};

// A fetches; A stops beating; a rescue gives the job back; B fetches it. A's
// late acknowledgement must not remove B's delivery.
TEST_P(LateAcknowledgement, AfterARescueDoesNotRemoveTheNewOwnersDelivery) {
  ProcessBeatParams beat;
  beat.identity = "host:1:00000000000a";
  beat.liveness_ttl = seconds(1);
  (void)store->process_beat(beat);  // A is known, then stops beating
  store->job_insert_many({{job("j", "default")}});
  const auto a = fetch(*store, "host:1:00000000000a");
  ASSERT_EQ(a.size(), 1U);
  std::size_t rescued = 0;
  ASSERT_TRUE(eventually(
      [&] { return (rescued += held_jobs(*store).job_give_back_orphaned({.rescuer = "host:3:00000000000c"})) > 0; },
      deadline));
  EXPECT_EQ(rescued, 1U);
  const auto b = fetch(*store, "host:2:00000000000b");
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(Job::parse(b[0].payload).jid(), "j");
  store->job_complete({{a[0]}, "host:1:00000000000a"});  // A, late
  EXPECT_EQ(held_jobs(*store).job_list_held({"host:2:00000000000b"}).size(), 1U) << "B still holds it";
  EXPECT_EQ(admin(*store).queue_size({"default"}), 0);
  store->job_complete({{b[0]}, "host:2:00000000000b"});
  EXPECT_TRUE(held_jobs(*store).job_list_held({"host:2:00000000000b"}).empty());
  EXPECT_EQ(admin(*store).queue_size({"default"}), 0);
  EXPECT_TRUE(fetch(*store, "host:4:00000000000d").empty()) << "nothing came back: completed once";
  EXPECT_EQ(held_jobs(*store).job_give_back_orphaned({.rescuer = "host:3:00000000000c"}), 0U);
}

INSTANTIATE_TEST_SUITE_P(Stores, LateAcknowledgement, ::testing::Values(factory("redis"), factory("sqlite")),
                         [](const auto& param) { return param.param.name; });

// Postgres: A's lease runs out (2 s in the test store), B reads the message again; A's
// late delete must not remove B's delivery.
TEST(PostgresLateAcknowledgement, AfterTheLeaseRanOutDoesNotRemoveTheNewDelivery) {
  const StoreFactory f = factory("postgres");
  const test::TempDir scratch;
  auto store = f.make(scratch);
  store->job_insert_many({{job("j", "default")}});
  const auto a = fetch(*store, "A");
  ASSERT_EQ(a.size(), 1U);
  std::vector<FetchedJob> b;
  ASSERT_TRUE(eventually([&] { return !(b = fetch(*store, "B")).empty(); }, deadline));
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(b[0].receipt, a[0].receipt) << "the same message";
  EXPECT_NE(b[0].delivery, a[0].delivery) << "another delivery";
  store->job_complete({{a[0]}, "A"});  // late
  EXPECT_EQ(postgres_query("SELECT count(*) FROM pgmq.q_default"), std::vector<std::string>{"1"}) << "B's is kept";
  store->job_complete({{b[0]}, "B"});
  EXPECT_EQ(postgres_query("SELECT count(*) FROM pgmq.q_default"), std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace errand::test
