// errand::testing::Fake: captured payloads, typed args, drain/perform_one/clear, failures,
// bad input, and the end of a scope.
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/testing.hpp>

#include "testing_workers.hpp"

#include <gtest/gtest.h>

namespace errand::testing_test {
namespace {

using Strings = std::vector<std::string>;

class TestingFake : public ::testing::Test {
 protected:
  test::Recorder seen;
  testing::Fake fake;
  Client client{fake.store()};

  void SetUp() override { register_all(fake, seen, client); }
};

std::vector<std::string> keys_of(const Job& job) {
  std::vector<std::string> keys;
  for (const auto& member : job.fields()) keys.emplace_back(member.key());
  return keys;
}

TEST_F(TestingFake, CapturesThePayloadARealStoreWouldGet) {
  client.use([](Job& job, const ClientNext& next) {
    job.set("tenant", "acme");
    next();
  });
  const auto jid = client.enqueue<Welcome>(42, "a@b.c");
  ASSERT_TRUE(jid);
  ASSERT_EQ(fake.size<Welcome>(), 1U);
  const auto jobs = fake.jobs<Welcome>();
  EXPECT_EQ(jobs[0].args, std::make_tuple(std::int64_t{42}, std::string("a@b.c")));
  EXPECT_EQ(jobs[0].jid, *jid);
  EXPECT_EQ(jobs[0].queue, "mail");
  EXPECT_FALSE(jobs[0].run_at);
  EXPECT_EQ(jobs[0].job.fields().at("tenant"), json::value("acme"));
  EXPECT_EQ(Job::parse(jobs[0].payload).jid(), *jid);

  // The same enqueue on a real store writes the same fields in the same order.
  auto memory = make_memory_store();
  Client real = client.with_store(memory);
  (void)real.enqueue<Welcome>(42, "a@b.c");
  const Job stored = Job::parse(memory_queue_contents(*memory, "mail").at(0));
  EXPECT_EQ(keys_of(jobs[0].job), keys_of(stored));
  EXPECT_EQ(keys_of(stored), (Strings{"retry", "queue", "args", "class", "jid", "created_at", "tenant", "enqueued_at"}));
}

TEST_F(TestingFake, ACapturedJobIsPerWorker) {
  (void)client.enqueue<Welcome>(1, "a");
  (void)client.enqueue<Picky>(2);
  (void)client.enqueue<Welcome>(3, "c");
  EXPECT_EQ(fake.size<Welcome>(), 2U);
  EXPECT_EQ(fake.size<Picky>(), 1U);
  EXPECT_EQ(fake.size<Countdown>(), 0U);
  EXPECT_EQ(fake.size(), 3U);
  ASSERT_EQ(fake.jobs().size(), 3U);
  EXPECT_EQ(fake.jobs()[1].job.class_name(), "errand::testing_test::Picky");  // oldest first, any class
  EXPECT_EQ(std::get<0>(fake.jobs<Welcome>()[1].args), 3);
}

TEST_F(TestingFake, ScheduledJobsAreCapturedWithTheirTimeAndDrainRunsThem) {
  const TimePoint before = Clock::now();
  (void)client.enqueue_in<Welcome>(std::chrono::hours(1), 7, "later");
  const auto jobs = fake.jobs<Welcome>();
  ASSERT_EQ(jobs.size(), 1U);
  ASSERT_TRUE(jobs[0].run_at);
  EXPECT_GE(*jobs[0].run_at, before + std::chrono::hours(1) - std::chrono::seconds(1));
  EXPECT_EQ(jobs[0].job.find("enqueued_at"), nullptr);  // as in a real schedule
  EXPECT_EQ(fake.drain<Welcome>(), 1U);
  EXPECT_EQ(seen.get(), Strings{"welcome 7 later"});
}

TEST_F(TestingFake, KeepsRoadstersEnvelope) {
  const auto jid = client.enqueue<Roadster>("ferris");
  const auto jobs = fake.jobs<Roadster>();
  ASSERT_EQ(jobs.size(), 1U);
  EXPECT_TRUE(jobs[0].job.is_roadster_envelope());
  EXPECT_EQ(jobs[0].payload, R"({"metadata":{"id":")" + *jid + R"(","worker_name":"RoadsterWorker"},"args":"ferris"})");
  EXPECT_EQ(std::get<0>(jobs[0].args), "ferris");
  fake.drain<Roadster>();
  EXPECT_EQ(seen.get(), Strings{"roadster ferris"});
}

TEST_F(TestingFake, DrainRunsEachJobThroughTheServerMiddleware) {
  fake.use([this](Job& job, Context& ctx, const ServerNext& next) {
    seen.add("before " + std::string(ctx.jid()) + " " + std::string(job.queue()));
    next();
    seen.add("after");
  });
  const auto jid = client.enqueue<Welcome>(1, "a");
  (void)client.enqueue<Picky>(2);
  EXPECT_EQ(fake.drain<Welcome>(), 1U);
  EXPECT_EQ(seen.get(), (Strings{"before " + *jid + " mail", "welcome 1 a", "after"}));
  EXPECT_EQ(fake.size<Welcome>(), 0U);
  EXPECT_EQ(fake.size<Picky>(), 1U);  // another worker's jobs stay
}

TEST_F(TestingFake, AMiddlewareThatDoesNotCallNextSkipsTheJob) {
  fake.use([](Job&, Context&, const ServerNext&) {});
  (void)client.enqueue<Picky>(1);
  EXPECT_EQ(fake.drain<Picky>(), 1U);
  EXPECT_EQ(seen.size(), 0U);
  EXPECT_EQ(fake.size(), 0U);
}

TEST_F(TestingFake, JobsEnqueuedWhileDrainingRunToo) {
  (void)client.enqueue<Countdown>(2);
  EXPECT_EQ(fake.drain<Countdown>(), 3U);
  EXPECT_EQ(seen.get(), (Strings{"countdown 2", "countdown 1", "countdown 0"}));
  EXPECT_EQ(fake.size<Welcome>(), 1U);  // enqueued by Countdown(0), not drained: another worker

  seen.clear();
  (void)client.enqueue<Countdown>(1);
  EXPECT_EQ(fake.drain_all(), 4U);  // the Welcome waiting, then the countdown and its Welcome, oldest first
  EXPECT_EQ(seen.get(), (Strings{"welcome 0 done", "countdown 1", "countdown 0", "welcome 0 done"}));
  EXPECT_EQ(fake.size(), 0U);
}

TEST_F(TestingFake, PerformOneRunsTheOldestJob) {
  (void)client.enqueue<Picky>(1);
  (void)client.enqueue<Picky>(2);
  fake.perform_one<Picky>();
  EXPECT_EQ(seen.get(), Strings{"picky 1"});
  EXPECT_EQ(std::get<0>(fake.jobs<Picky>().at(0).args), 2);
}

TEST_F(TestingFake, PerformOneWithoutAJobSaysSo) {
  (void)client.enqueue<Welcome>(1, "a");
  try {
    fake.perform_one<Picky>();
    FAIL() << "expected errand::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "errand::testing: perform_one found no errand::testing_test::Picky job in the "
                           "testing::Fake (1 job(s) of other classes wait); enqueue one first, or check the "
                           "worker's class_name");
  }
  EXPECT_EQ(fake.size<Welcome>(), 1U);
}

TEST_F(TestingFake, ClearDropsJobsWithoutRunningThem) {
  (void)client.enqueue<Welcome>(1, "a");
  (void)client.enqueue<Welcome>(2, "b");
  (void)client.enqueue<Picky>(3);
  EXPECT_EQ(fake.clear<Welcome>(), 2U);
  EXPECT_EQ(fake.clear<Welcome>(), 0U);
  EXPECT_EQ(fake.size<Picky>(), 1U);
  EXPECT_EQ(fake.clear(), 1U);
  EXPECT_EQ(fake.size(), 0U);
  EXPECT_EQ(seen.size(), 0U);
}

TEST_F(TestingFake, AFailingJobReachesTheCallerAndTheJobsAfterItStay) {
  (void)client.enqueue<Picky>(1);
  (void)client.enqueue<Picky>(13);
  (void)client.enqueue<Picky>(3);
  EXPECT_THROW(
      {
        try {
          fake.drain<Picky>();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "unlucky user 13");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_EQ(seen.get(), Strings{"picky 1"});
  EXPECT_EQ(std::get<0>(fake.jobs<Picky>().at(0).args), 3);  // the failed job is gone, not retried
  EXPECT_EQ(fake.drain<Picky>(), 1U);
}

TEST_F(TestingFake, ClassesWithoutACppWorkerAreReachedByName) {
  (void)client.enqueue_raw("Workers::RubyOnly", "ruby", json::array{1, "x"});
  EXPECT_EQ(fake.size("Workers::RubyOnly"), 1U);
  EXPECT_EQ(to_json(fake.jobs("Workers::RubyOnly").at(0).job.args()), R"([1,"x"])");
  EXPECT_EQ(fake.jobs("Workers::RubyOnly").at(0).queue, "ruby");
  EXPECT_EQ(fake.clear("Workers::RubyOnly"), 1U);
}

TEST_F(TestingFake, ARunWithoutARegisteredWorkerSaysHowToFixItAndKeepsTheJob) {
  (void)client.enqueue_raw("Workers::RubyOnly", "default", json::array{});
  EXPECT_THROW(fake.drain_all(), UnknownWorkerError);
  EXPECT_THROW(fake.drain("Workers::RubyOnly"), UnknownWorkerError);
  EXPECT_EQ(fake.size(), 1U);
  fake.registry().add_handler("Workers::RubyOnly", {}, [this](const Job&, Context&) { seen.add("ruby only"); });
  EXPECT_EQ(fake.drain_all(), 1U);
  EXPECT_EQ(seen.get(), Strings{"ruby only"});
}

TEST_F(TestingFake, ArgsThatDoNotFitTheWorkerRaiseArgumentError) {
  (void)client.enqueue_raw("WelcomeWorker", "mail", json::array{"not a number", "a@b.c"});
  EXPECT_THROW((void)fake.jobs<Welcome>(), ArgumentError);
  EXPECT_THROW(fake.drain<Welcome>(), ArgumentError);
  EXPECT_EQ(seen.size(), 0U);
}

TEST(TestingFakeSetup, StartsFromAnApplicationsRegistry) {
  test::Recorder seen;
  WorkerRegistry app_workers;  // as an app gives errand::cli::main
  app_workers.add<Picky>([&seen] { return Picky{{}, &seen}; });
  testing::Fake fake{app_workers};
  Client client{fake.store()};
  (void)client.enqueue<Picky>(5);
  EXPECT_EQ(fake.drain_all(), 1U);
  EXPECT_EQ(seen.get(), Strings{"picky 5"});
}

TEST(TestingScope, AClientThatOutlivesItsFakeFailsLoudly) {
  auto fake = std::make_unique<testing::Fake>();
  const Client client{fake->store()};
  (void)client.enqueue<Picky>(1);
  fake.reset();
  try {
    (void)client.enqueue<Picky>(2);
    FAIL() << "expected errand::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "errand::testing: a job of class errand::testing_test::Picky was enqueued after "
                           "its testing::Fake had ended (the Client outlived it); build the Client on the store() of "
                           "a testing::Fake or testing::Inline still in scope");
  }
}

TEST(TestingScope, TheStoreRefusesWhatOnlyARealStoreDoes) {
  testing::Fake fake;
  try {
    JobFetchParams fetch;
    fetch.queues = {"default"};
    (void)fake.store()->job_fetch(fetch);
    FAIL() << "expected errand::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "errand::testing: the testing::Fake store cannot fetch jobs: a testing store only "
                           "captures enqueues (Fake) or runs them at once (Inline). Inspect and run jobs through "
                           "the testing::Fake itself; for a store a Processor can run, use "
                           "errand::make_memory_store()");
  }
  EXPECT_EQ(fake.store()->admin(), nullptr) << "no queues or sets to list: jobs<W>() shows what was enqueued";
  EXPECT_EQ(fake.store()->held_jobs(), nullptr);
}

TEST(TestingScope, ABadPayloadPushedStraightToTheStoreIsRefused) {
  testing::Fake fake;
  EXPECT_THROW(fake.store()->job_insert_many({.jobs = {{"j", "default", "not json", std::nullopt}}}), PayloadError);
  EXPECT_EQ(fake.size(), 0U);
}

}  // namespace
}  // namespace errand::testing_test
