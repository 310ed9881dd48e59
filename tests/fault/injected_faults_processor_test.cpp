// Deterministic fault injection (issue #12 §7): a lost acknowledgement, failing fetches
// and heartbeats, a throwing client middleware and an oversized invalid UTF-8 error
// message, each on every store, with a processor on a real store behind
// test::FaultInjectingStore.
#include "injected_faults.hpp"

namespace errand::test {
namespace {

using conformance::StoreFactory;
using std::chrono::milliseconds;

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

}  // namespace

namespace {
std::string store_name(const ::testing::TestParamInfo<StoreFactory>& param) { return param.param.name; }

}  // namespace

INSTANTIATE_TEST_SUITE_P(Stores, InjectedFaults, ::testing::ValuesIn(conformance::store_factories()), store_name);

}  // namespace errand::test
