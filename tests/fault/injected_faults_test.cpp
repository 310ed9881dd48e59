// Deterministic fault injection (issue #12 §7), the failure path: a failure that
// cannot be recorded (job_retry, then job_kill, made to throw), on every store. Each job
// ends in the retry set, the dead set or back in its queue exactly as src/core/retrier.cpp
// documents, with one log line, fetched a bounded number of times.
#include "injected_faults.hpp"

namespace errand::test {
namespace {

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
  faults->fail_next(Call::job_retry, 1, raise<PayloadError>("test: refused for good"));
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
  faults->fail_next(Call::job_retry, 1, raise<PayloadError>("test: refused for good"));
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

}  // namespace
}  // namespace errand::test
