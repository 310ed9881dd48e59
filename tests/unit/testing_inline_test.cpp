// errand::testing::Inline, and both modes under several threads at once (run under TSan in CI).
#include <errand/error.hpp>
#include <errand/testing.hpp>

#include "testing_workers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace errand {

/// A codec with a bug a round trip through JSON catches: it writes a string, reads an integer.
struct Cents {
  std::int64_t value = 0;
};
template <>
struct ArgCodec<Cents> {
  static json::value encode(const Cents& c) { return json::value(std::to_string(c.value)); }
  static Cents decode(const json::value& v) { return Cents{ArgCodec<std::int64_t>::decode(v)}; }
};

namespace testing_test {
namespace {

using Strings = std::vector<std::string>;

struct Refund : Worker<Refund> {
  void perform(Cents /*amount*/) {}
};

/// Reads its own args with a codec, as some workers do with a json::value argument.
struct Lenient : Worker<Lenient> {
  void perform(const json::value& raw) { (void)ArgCodec<int>::decode(raw); }
};

class TestingInline : public ::testing::Test {
 protected:
  test::Recorder seen;
  testing::Inline inline_jobs;
  Client client{inline_jobs.store()};

  void SetUp() override { register_all(inline_jobs, seen, client); }
};

TEST_F(TestingInline, EnqueueRunsTheJobBeforeItReturnsThroughTheMiddleware) {
  client.use([](Job& job, const ClientNext& next) {
    job.set("tenant", "acme");
    next();
  });
  inline_jobs.use([this](Job& job, Context& ctx, const ServerNext& next) {
    seen.add("before " + std::string(ctx.jid()) + " " + job.fields().at("tenant").get_string().c_str());
    next();
  });
  const auto jid = client.enqueue<Welcome>(42, "a@b.c");
  ASSERT_TRUE(jid);
  EXPECT_EQ(seen.get(), (Strings{"before " + *jid + " acme", "welcome 42 a@b.c"}));
}

TEST_F(TestingInline, ScheduledAndBulkJobsRunAtOnce) {
  (void)client.enqueue_in<Picky>(std::chrono::hours(1), 1);
  (void)client.enqueue_at<Picky>(Clock::now() + std::chrono::hours(24), 2);
  EXPECT_EQ(client.enqueue_bulk<Picky>({{3}, {4}}).size(), 2U);
  (void)client.enqueue<Roadster>("ferris");
  EXPECT_EQ(seen.get(), (Strings{"picky 1", "picky 2", "picky 3", "picky 4", "roadster ferris"}));
}

TEST_F(TestingInline, JobsEnqueuedByAJobRunInsideIt) {
  (void)client.enqueue<Countdown>(2);
  EXPECT_EQ(seen.get(), (Strings{"countdown 2", "countdown 1", "countdown 0", "welcome 0 done"}));
}

TEST_F(TestingInline, AJobsExceptionReachesTheCaller) {
  EXPECT_THROW((void)client.enqueue<Picky>(13), std::runtime_error);
  EXPECT_THROW((void)client.enqueue_bulk<Picky>({{1}, {13}, {3}}), std::runtime_error);
  EXPECT_EQ(seen.get(), Strings{"picky 1"});  // the bulk stopped at the failing job
}

TEST_F(TestingInline, ArgsThatDoNotFitRaiseArgumentErrorAsInProduction) {
  try {
    (void)client.enqueue_raw("WelcomeWorker", "mail", json::array{"42", "a@b.c"});
    FAIL() << "expected errand::ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("argument 0: expected integer, got string \"42\""), std::string::npos)
        << e.what();
  }
  inline_jobs.register_worker<Refund>();
  EXPECT_THROW((void)client.enqueue<Refund>(Cents{500}), ArgumentError);  // the codec's bug, found
  inline_jobs.register_worker<Lenient>();
  EXPECT_THROW((void)client.enqueue<Lenient>(json::value("x")), ArgumentError);
  EXPECT_EQ(seen.size(), 0U);
}

TEST_F(TestingInline, AnUnregisteredClassReachesTheCaller) {
  try {
    (void)client.enqueue_raw("Workers::RubyOnly", "default", json::array{});
    FAIL() << "expected errand::UnknownWorkerError";
  } catch (const UnknownWorkerError& e) {
    EXPECT_NE(std::string(e.what()).find("call register_worker<YourWorker>() on the testing::Inline"),
              std::string::npos)
        << e.what();
  }
}

constexpr int threads = 4;
constexpr int jobs_per_thread = 200;

/// Runs `enqueue(thread, i)` jobs_per_thread times on each of `threads` threads at once.
template <class Enqueue>
void enqueue_from_threads(const Enqueue& enqueue) {
  std::vector<std::jthread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&enqueue, t] {
      for (int i = 0; i < jobs_per_thread; ++i) enqueue(t, i);
    });
  }
}

TEST_F(TestingInline, SeveralThreadsEnqueueAtOnce) {
  enqueue_from_threads([this](int t, int i) { (void)client.enqueue<Welcome>(t * 1000 + i, "x"); });
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(threads * jobs_per_thread));
}

TEST(TestingFakeThreads, SeveralThreadsEnqueueIntoOneFake) {
  test::Recorder seen;
  testing::Fake fake;
  Client client{fake.store()};
  register_all(fake, seen, client);
  std::mutex jids_mutex;
  std::set<std::string> jids;
  enqueue_from_threads([&](int t, int i) {
    const auto jid = client.enqueue<Welcome>(t * 1000 + i, "x");
    const std::lock_guard lock(jids_mutex);
    jids.insert(*jid);
  });
  constexpr auto total = static_cast<std::size_t>(threads * jobs_per_thread);
  EXPECT_EQ(jids.size(), total);
  EXPECT_EQ(fake.size<Welcome>(), total);
  EXPECT_EQ(fake.drain_all(), total);
  EXPECT_EQ(seen.size(), total);
}

TEST(TestingFakeThreads, OneThreadDrainsWhileOthersEnqueue) {
  test::Recorder seen;
  testing::Fake fake;
  Client client{fake.store()};
  register_all(fake, seen, client);
  constexpr auto total = static_cast<std::size_t>(threads * jobs_per_thread);
  std::atomic<std::size_t> ran{0};
  std::atomic<bool> enqueued{false};
  std::jthread drainer([&] {
    // Waits for the state (every job run), whatever the pace; ends anyway once the
    // enqueuers are done and nothing is left, so that a failed enqueue cannot hang it.
    while (ran.load() < total) {
      const bool last_round = enqueued.load();
      ran += fake.drain<Welcome>();
      if (last_round) break;
      std::this_thread::yield();
    }
  });
  enqueue_from_threads([&](int t, int i) { (void)client.enqueue<Welcome>(t * 1000 + i, "x"); });
  enqueued = true;
  drainer.join();
  EXPECT_EQ(ran.load(), total);
  EXPECT_EQ(seen.size(), total);
  EXPECT_EQ(fake.size(), 0U);
}

}  // namespace
}  // namespace testing_test
}  // namespace errand
