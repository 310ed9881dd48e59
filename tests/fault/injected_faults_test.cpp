// Deterministic fault injection (issue #12 §7): a store call made to throw or stall on
// purpose, and each documented recovery path checked on every store it applies to.
// Processors run on a real store behind test::FaultInjectingStore.
#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "fault_injecting_store.hpp"
#include "test_env.hpp"

#include <atomic>
#include <map>
#include <mutex>

namespace errand::test {
namespace {

using conformance::StoreFactory;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Call = StoreCall;

constexpr seconds deadline{20};

/// Counts the runs of each jid; the handler's behaviour is chosen per test.
struct Runs {
  void add(const std::string& jid) {
    std::lock_guard lock(mutex);
    ++by_jid[jid];
  }
  int of(const std::string& jid) {
    std::lock_guard lock(mutex);
    return by_jid[jid];
  }
  std::mutex mutex;
  std::map<std::string, int> by_jid;
};

/// Releases every stall before a processor (declared earlier) is destroyed, so that a
/// failed assertion never leaves a thread waiting for ever.
struct ReleaseOnExit {
  FaultInjectingStore& faults;
  ~ReleaseOnExit() { faults.stop(); }
};

class InjectedFaults : public ::testing::TestWithParam<StoreFactory> {
 protected:
  const test::TempDir scratch;  // the store's files, if it keeps any
  void SetUp() override {
    store = GetParam().make(scratch);
    faults = std::make_shared<FaultInjectingStore>(store);
    options.logger = logger;
  }
  void TearDown() override {
    faults.reset();
    store.reset();
  }

  bool reliable() const { return store->capabilities().reliable_fetch; }
  /// Where a job retried without a retry_count waits: Postgres counts it as scheduled.
  JobSet verbatim_retry_set() const { return store->capabilities().verbatim_payloads ? JobSet::retry : JobSet::scheduled; }
  StoreAdmin& admin() const { return test::admin(*store); }
  std::int64_t size(JobSet set) const { return admin().set_size({set}); }
  /// The entry of `jid` in `set`, parsed; fails the test when absent.
  Job entry(JobSet set, const std::string& jid) const {
    for (const auto& e : admin().set_list({set, 100})) {
      Job job = Job::parse(e.payload);
      if (job.jid() == jid) return job;
    }
    ADD_FAILURE() << "jid " << jid << " is not in the set";
    return Job(json::object{});
  }
  /// The handler of the failure-path tests: counts the run, then throws "boom".
  void fail_every_run(Processor& processor) {
    processor.register_handler("Job", [this](const Job& job, Context&) {
      runs.add(std::string(job.jid()));
      throw std::runtime_error("boom");
    });
  }
  /// Nothing waiting and (on a store with a list of held jobs) nothing held by anyone.
  bool queue_empty() const { return admin().queue_size({"default"}) == 0; }

  std::shared_ptr<Store> store;
  std::shared_ptr<FaultInjectingStore> faults;
  std::shared_ptr<CapturingLogger> logger = std::make_shared<CapturingLogger>();
  ProcessorOptions options = conformance::quick_options(1);
  Runs runs;
};

std::string enqueue(const std::shared_ptr<Store>& store, json::object extra = {}) {
  json::object fields{{"class", "Job"}, {"args", json::array{1}}, {"queue", "default"}};
  for (auto& [key, value] : extra) fields[key] = value;
  return Client{store}.push(Job(std::move(fields))).value();
}

std::string_view error_message_of(const Job& job) {
  const json::value* message = job.find("error_message");
  return message != nullptr && message->is_string() ? std::string_view(message->get_string()) : std::string_view();
}

// --- 1. A failure that cannot be recorded -------------------------------------------

TEST_P(InjectedFaults, ARetryThatFailsOnceIsRetriedAsFetched) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::job_retry, 1);
  Processor processor(faults, options);
  fail_every_run(processor);
  processor.start();
  ASSERT_TRUE(eventually([&] { return size(verbatim_retry_set()) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(faults->failures(Call::job_retry), 1U);
  EXPECT_EQ(faults->calls(Call::job_retry), 2U) << "the second try is the payload as fetched";
  EXPECT_EQ(faults->calls(Call::job_kill), 0U);
  EXPECT_EQ(error_message_of(entry(verbatim_retry_set(), jid)), "") << "retried as fetched, without error fields";
  EXPECT_EQ(logger->count("retried as it was fetched"), 1U) << logger->joined();
  EXPECT_EQ(faults->fetches_of(jid), 1U);
  EXPECT_EQ(runs.of(jid), 1);
  EXPECT_EQ(size(JobSet::dead), 0);
  EXPECT_TRUE(queue_empty());
}

TEST_P(InjectedFaults, ARetryTheStoreRefusesForGoodGoesToTheDeadSetAsFetched) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::job_retry, 1, std::make_exception_ptr(PayloadError("test: refused for good")));
  Processor processor(faults, options);
  fail_every_run(processor);
  processor.start();
  ASSERT_TRUE(eventually([&] { return size(JobSet::dead) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(faults->calls(Call::job_retry), 1U) << "a refusal for good is not tried again";
  EXPECT_EQ(faults->calls(Call::job_kill), 1U);
  EXPECT_EQ(error_message_of(entry(JobSet::dead, jid)), "");
  EXPECT_EQ(logger->count("moved to the dead set as it was fetched"), 1U) << logger->joined();
  EXPECT_TRUE(logger->contains("refused for good"));
  EXPECT_EQ(faults->fetches_of(jid), 1U);
  EXPECT_EQ(size(JobSet::retry) + size(JobSet::scheduled), 0);
  EXPECT_TRUE(queue_empty());
}

// job_retry fails twice (the retry, then the retry as fetched): the job is left for
// later: pushed back at once on a store without reliable fetch, else given back by the
// stranded-jobs check (Redis, SQLite) or its lease's end (Postgres). It runs once more.
TEST_P(InjectedFaults, ARetryAndItsFallbackFailingLeaveTheJobForLaterAndItRunsOnceMore) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::job_retry, 2);
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job& job, Context&) {
    runs.add(std::string(job.jid()));
    if (runs.of(std::string(job.jid())) == 1) throw std::runtime_error("boom");
  });
  processor.start();
  ASSERT_TRUE(eventually([&] { return runs.of(jid) == 2 && processor.stats().processed == 2; }, deadline))
      << logger->joined();
  ASSERT_TRUE(eventually([&] { return queue_empty() && processor.stats().busy == 0; }, deadline));
  processor.stop();
  EXPECT_EQ(runs.of(jid), 2);
  EXPECT_EQ(faults->fetches_of(jid), 2U) << "back once, not in a loop";
  EXPECT_EQ(faults->calls(Call::job_retry), 2U);
  EXPECT_EQ(logger->count("retrying it as it was fetched failed too"), 1U) << logger->joined();
  if (reliable()) {
    EXPECT_EQ(logger->count("it stays in progress and goes back to queue default"), 1U);
    EXPECT_EQ(faults->calls(Call::job_give_back), 0U);
  } else {
    EXPECT_EQ(logger->count("pushed it back to queue default"), 1U);
    EXPECT_EQ(faults->calls(Call::job_give_back), 1U);
  }
  EXPECT_EQ(size(JobSet::retry) + size(JobSet::scheduled) + size(JobSet::dead), 0);
  EXPECT_TRUE(queue_empty());
}

// Refused for good, and the dead set cannot be written either: left for later; on its
// next run the retry is recorded normally.
TEST_P(InjectedFaults, ARefusedRetryWhoseKillFailsTooIsLeftForLaterThenRetried) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::job_retry, 1, std::make_exception_ptr(PayloadError("test: refused for good")));
  faults->fail_next(Call::job_kill, 1);
  Processor processor(faults, options);
  fail_every_run(processor);
  processor.start();
  ASSERT_TRUE(eventually([&] { return size(JobSet::retry) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(logger->count("could not move it to the dead set either"), 1U) << logger->joined();
  EXPECT_EQ(faults->fetches_of(jid), 2U);
  EXPECT_EQ(runs.of(jid), 2);
  EXPECT_EQ(faults->calls(Call::job_retry), 2U);
  EXPECT_EQ(faults->calls(Call::job_kill), 1U);
  const Job retried = entry(JobSet::retry, jid);
  EXPECT_EQ(error_message_of(retried), "boom");
  EXPECT_EQ(retried.retry_count(), std::optional<std::int64_t>(0));
  EXPECT_EQ(size(JobSet::dead), 0);
  EXPECT_TRUE(queue_empty());
}

// A job out of retries whose move to the dead set fails (a lost connection): it is
// retried as fetched, to die on its next run, rather than lost or looped.
TEST_P(InjectedFaults, AnExhaustedJobWhoseKillFailsIsRetriedAsFetched) {
  const std::string jid = enqueue(store, {{"retry", 0}});
  faults->fail_next(Call::job_kill, 1);
  Processor processor(faults, options);
  fail_every_run(processor);
  processor.start();
  ASSERT_TRUE(eventually([&] { return size(verbatim_retry_set()) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(faults->calls(Call::job_kill), 1U);
  EXPECT_EQ(faults->calls(Call::job_retry), 1U);
  EXPECT_EQ(error_message_of(entry(verbatim_retry_set(), jid)), "");
  EXPECT_EQ(logger->count("retried as it was fetched"), 1U) << logger->joined();
  EXPECT_EQ(faults->fetches_of(jid), 1U);
  EXPECT_EQ(size(JobSet::dead), 0);
  EXPECT_TRUE(queue_empty());
}

// --- 2. A failing acknowledgement ---------------------------------------------------

TEST_P(InjectedFaults, AFailedAcknowledgementLosesNoJobAndTheProcessorGoesOn) {
  const std::string first = enqueue(store);
  faults->fail_next(Call::job_complete, 1);
  options.unacknowledged_limit = 0;  // one acknowledgement per job, written at once
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job& job, Context&) { runs.add(std::string(job.jid())); });
  processor.start();
  // Reliable stores run it again (stranded-jobs check, or the lease's end); the memory
  // store removed it at fetch, so its lost acknowledgement changes nothing.
  const int expected = reliable() ? 2 : 1;
  ASSERT_TRUE(eventually([&] { return runs.of(first) == expected && faults->failures(Call::job_complete) == 1; },
                         deadline))
      << runs.of(first) << "\n" << logger->joined();
  std::vector<std::string> later;
  for (int i = 0; i < 5; ++i) later.push_back(enqueue(store));
  ASSERT_TRUE(eventually([&] {
    for (const auto& jid : later) {
      if (runs.of(jid) != 1) return false;
    }
    return queue_empty() && processor.stats().busy == 0;
  }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(runs.of(first), expected);
  EXPECT_EQ(faults->fetches_of(first), static_cast<std::uint64_t>(expected));
  for (const auto& jid : later) EXPECT_EQ(runs.of(jid), 1) << jid;
  EXPECT_EQ(logger->count("acknowledging 1 finished job(s) failed"), 1U) << logger->joined();
  EXPECT_EQ(size(JobSet::retry) + size(JobSet::dead), 0);
  if (store->held_jobs() != nullptr) {
    EXPECT_TRUE(held_jobs(*store).job_list_held({processor.identity()}).empty());
  }
}

// --- 3. Connection loss mid-fetch ---------------------------------------------------

TEST_P(InjectedFaults, AFailingFetchBacksOffAndLaterJobsAreProcessed) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::job_fetch, 4);
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job& job, Context&) { runs.add(std::string(job.jid())); });
  processor.start();
  ASSERT_TRUE(eventually([&] { return runs.of(jid) == 1; }, deadline)) << logger->joined();
  const std::string later = enqueue(store);
  ASSERT_TRUE(eventually([&] { return runs.of(later) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(faults->failures(Call::job_fetch), 4U);
  EXPECT_EQ(logger->count("fetching from " + std::string(store->name()) + " failed"), 4U) << logger->joined();
  // Backoff 100, 200, 400, 800 ms: each failure waits at least that long before the next try.
  const auto times = faults->call_times(Call::job_fetch);
  ASSERT_GE(times.size(), 5U);
  milliseconds backoff{100};
  for (std::size_t i = 1; i <= 4; ++i, backoff *= 2) {
    EXPECT_GE(times[i] - times[i - 1], backoff) << "try " << i;
  }
  EXPECT_EQ(faults->fetches_of(jid), 1U);
  EXPECT_EQ(faults->fetches_of(later), 1U);
}

// --- 4. A heartbeat that fails ------------------------------------------------------

// Nothing is fetched before the process is registered; two failed beats, then a third
// stalled: still nothing fetched; once it goes through, the job runs.
TEST_P(InjectedFaults, AProcessFetchesNothingUntilAHeartbeatRegistersIt) {
  const std::string jid = enqueue(store);
  faults->fail_next(Call::process_beat, 2);
  faults->stall_call(Call::process_beat, 3);
  Processor processor(faults, options);
  ReleaseOnExit release{*faults};
  processor.register_handler("Job", [&](const Job& job, Context&) { runs.add(std::string(job.jid())); });
  processor.start();
  ASSERT_TRUE(eventually([&] { return faults->stalled(Call::process_beat) == 1; }, deadline)) << logger->joined();
  EXPECT_EQ(faults->calls(Call::job_fetch), 0U);
  EXPECT_EQ(admin().queue_size({"default"}), 1);
  EXPECT_EQ(logger->count("heartbeat failed"), 2U) << logger->joined();
  faults->release(Call::process_beat);
  ASSERT_TRUE(eventually([&] { return runs.of(jid) == 1; }, deadline)) << logger->joined();
  processor.stop();
  EXPECT_EQ(faults->fetches_of(jid), 1U);
}

// Beats failing while the process runs: jobs keep running, and the first beat that goes
// through again carries the counts of the failed ones (none lost, none twice).
TEST_P(InjectedFaults, FailingHeartbeatsStopNoJobAndLoseNoCounts) {
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job& job, Context&) { runs.add(std::string(job.jid())); });
  processor.start();
  ASSERT_TRUE(eventually([&] { return faults->calls(Call::process_beat) >= 1 && faults->calls(Call::job_fetch) >= 1; },
                         deadline));
  faults->fail_next(Call::process_beat, 1'000'000);
  std::vector<std::string> jids;
  for (int i = 0; i < 3; ++i) jids.push_back(enqueue(store));
  ASSERT_TRUE(eventually([&] { return runs.of(jids[0]) + runs.of(jids[1]) + runs.of(jids[2]) == 3; }, deadline));
  // A beat fails after the jobs ran: their counts are not in the store yet.
  const std::uint64_t failed = faults->failures(Call::process_beat);
  ASSERT_TRUE(eventually([&] { return faults->failures(Call::process_beat) > failed; }, deadline));
  EXPECT_EQ(admin().stats().processed, 0);
  faults->clear(Call::process_beat);
  ASSERT_TRUE(eventually([&] { return admin().stats().processed == 3; }, deadline))
      << admin().stats().processed << "\n" << logger->joined();
  EXPECT_EQ(logger->count("heartbeat failed"), faults->failures(Call::process_beat)) << logger->joined();
  processor.stop();
  EXPECT_EQ(admin().stats().processed, 3) << "the final beat adds nothing twice";
  for (const auto& jid : jids) EXPECT_EQ(runs.of(jid), 1);
}

// --- 8. A client middleware that throws ---------------------------------------------

TEST_P(InjectedFaults, AThrowingClientMiddlewareEnqueuesNothing) {
  Client client{faults};
  int seen = 0;
  client.use([&](Job& /*job*/, const ClientNext& next) {
    if (++seen == 2) throw std::runtime_error("middleware says no");
    next();
  });
  EXPECT_NO_THROW((void)client.enqueue_raw("Job", "default", {1}));  // the first passes
  EXPECT_EQ(admin().queue_size({"default"}), 1);
  try {
    (void)client.enqueue_raw("Job", "default", {2});
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "middleware says no");
  }
  seen = 0;  // in a bulk push, the second of three throws: none of them is stored
  std::vector<Job> batch;
  for (int i = 0; i < 3; ++i) {
    batch.emplace_back(json::object{{"class", "Job"}, {"args", json::array{i}}, {"queue", "default"}});
  }
  EXPECT_THROW((void)client.push_bulk(std::move(batch)), std::runtime_error);
  EXPECT_EQ(faults->calls(Call::job_insert_many), 1U) << "only the first enqueue reached the store";
  EXPECT_EQ(admin().queue_size({"default"}), 1);
}

// --- 9. Error messages --------------------------------------------------------------

TEST_P(InjectedFaults, AnErrorMessageIsMadeValidUtf8AndCutTo10000Characters) {
  const std::string jid = enqueue(store);
  // 20,001 bytes: an invalid byte, é, a lead byte without its continuation, then 'x'.
  const std::string message = "\xff\xC3\xA9\xC3(" + std::string(19996, 'x');
  Processor processor(faults, options);
  processor.register_handler("Job", [&](const Job&, Context&) { throw std::runtime_error(message); });
  processor.start();
  ASSERT_TRUE(eventually([&] { return size(JobSet::retry) == 1; }, deadline)) << logger->joined();
  processor.stop();
  // Each invalid byte becomes U+FFFD, one character; 10,000 characters kept.
  const std::string expected = "\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD(" + std::string(9996, 'x');
  const Job retried = entry(JobSet::retry, jid);
  EXPECT_EQ(error_message_of(retried), expected);
  EXPECT_EQ(error_message_of(retried).size(), 3U + 2 + 3 + 1 + 9996);  // bytes of the 10,000 characters
  const json::value* error_class = retried.find("error_class");
  ASSERT_NE(error_class, nullptr);
  EXPECT_EQ(error_class->get_string(), "std::runtime_error");
}

std::string store_name(const ::testing::TestParamInfo<StoreFactory>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(Stores, InjectedFaults, ::testing::ValuesIn(conformance::store_factories()), store_name);

}  // namespace
}  // namespace errand::test
