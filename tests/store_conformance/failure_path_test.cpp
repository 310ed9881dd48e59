// Conformance, the failure path: whatever a fetched payload holds, and whatever goes
// wrong while its failure is recorded, the job ends in done, the retry set or the dead
// set, on every store, and is fetched once: never a loop back to the front of its queue.
#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "kit/forwarding_store.hpp"
#include "test_env.hpp"

#include <atomic>
#include <limits>
#include <random>
#include <set>
#include <thread>

namespace errand::conformance {
namespace {

struct TwoArgs : Worker<TwoArgs> {
  static constexpr std::string_view class_name = "TwoArgs";
  void perform(std::int64_t /*id*/, const std::string& /*email*/) {}
};

/// Inserts payload texts as they are, each a ready job of queue "default".
void insert_raw(Store& store, const std::vector<std::string>& payloads) {
  JobInsertManyParams params;
  for (const auto& payload : payloads) params.jobs.push_back({"", "default", payload, std::nullopt});
  store.job_insert_many(params);
}

TEST_P(StoreConformance, APayloadWithANumberBeyondADoubleGoesToTheDeadSetOnce) {
  // Postgres's jsonb turns 1e400 into a 401-digit integer: refused the same way.
  const std::vector<std::string> poison = {
      R"({"class":"Fails","args":[1e400],"jid":"p1","retry":1})",
      R"({"class":"Fails","args":[1],"retry":1e400,"jid":"p2"})",
      R"({"class":"Fails","args":[)" + ("1" + std::string(400, '0')) + R"(],"jid":"p3"})"};
  insert_raw(*store, poison);
  auto logger = std::make_shared<test::CapturingLogger>();
  ProcessorOptions options = quick_options(2);
  options.logger = logger;
  std::atomic<int> runs{0};
  Processor processor(store, options);
  processor.register_handler("Fails", [&](const Job&, Context&) {
    ++runs;
    throw std::runtime_error("fails");
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::dead}) == 3; }, std::chrono::seconds(20)));
  processor.stop();
  EXPECT_EQ(runs.load(), 0) << "a payload errand cannot keep exactly does not run";
  EXPECT_EQ(processor.stats().processed, 3U) << "each fetched once";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_EQ(logger->count("is beyond the range of a double"), 3U);
  if (store->capabilities().verbatim_payloads) {
    std::set<std::string> dead;
    for (const auto& entry : test::admin(*store).set_list({JobSet::dead, 10})) dead.insert(entry.payload);
    EXPECT_EQ(dead, std::set<std::string>(poison.begin(), poison.end()));
  }
}

TEST_P(StoreConformance, AFailureThatCannotBeWrittenBackGoesToTheDeadSetAsFetched) {
  Client client{store};
  (void)client.enqueue_raw("Fails", "default", {1});
  auto logger = std::make_shared<test::CapturingLogger>();
  ProcessorOptions options = quick_options(1);
  options.logger = logger;
  Processor processor(store, options);
  // A middleware puts into the job what JSON cannot hold, then the job fails.
  processor.use([](Job& job, Context& /*ctx*/, const ServerNext& next) {
    job.set("poison", std::numeric_limits<double>::infinity());
    next();
  });
  processor.register_handler("Fails", [](const Job&, Context&) { throw std::runtime_error("boom"); });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({JobSet::dead}) == 1; }, std::chrono::seconds(20)));
  processor.stop();
  EXPECT_EQ(processor.stats().processed, 1U);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  const Job dead = Job::parse(test::admin(*store).set_list({JobSet::dead, 1}).at(0).payload);
  EXPECT_EQ(dead.find("poison"), nullptr) << "the payload as fetched";
  EXPECT_EQ(dead.find("error_message"), nullptr);
  EXPECT_EQ(logger->count("its failure could not be recorded"), 1U);
  EXPECT_TRUE(logger->contains("boom"));
}

/// Refuses to store a failed job's new payload, as a store might refuse a write it
/// cannot hold; takes the payload as fetched.
class RefusesRewrittenRetries final : public detail::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void job_retry(const JobRetryParams& p) override {
    if (p.payload != p.fetched.payload) throw StoreError("test: refusing the rewritten payload");
    ForwardingStore::job_retry(p);
  }
};

TEST_P(StoreConformance, AStoreThatRefusesTheRecordedFailureGetsTheJobAsFetchedInTheRetrySet) {
  Client client{store};
  (void)client.enqueue_raw("Fails", "default", {1});
  auto refusing = std::make_shared<RefusesRewrittenRetries>(store);
  auto logger = std::make_shared<test::CapturingLogger>();
  ProcessorOptions options = quick_options(1);
  options.logger = logger;
  Processor processor(refusing, options);
  processor.register_handler("Fails", [](const Job&, Context&) { throw std::runtime_error("boom"); });
  processor.start();
  // Postgres tells retries from scheduled jobs by their retry_count, which a job that
  // never failed before lacks: there it waits among the scheduled ones.
  const JobSet waiting = store->capabilities().verbatim_payloads ? JobSet::retry : JobSet::scheduled;
  ASSERT_TRUE(test::eventually([&] { return test::admin(*store).set_size({waiting}) == 1; }, std::chrono::seconds(20)))
      << logger->joined();
  processor.stop();
  EXPECT_EQ(processor.stats().processed, 1U);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  const Job retried = Job::parse(test::admin(*store).set_list({waiting, 1}).at(0).payload);
  EXPECT_EQ(retried.find("error_message"), nullptr) << "the payload as fetched";
  EXPECT_EQ(logger->count("retried as it was fetched"), 1U);
}

/// A random payload: Sidekiq's fields with values of every type, numbers beyond any
/// double, bad nesting, and text that is not JSON at all.
std::string random_payload(std::mt19937_64& rng, int i) {
  const auto pick = [&](std::initializer_list<const char*> options) {
    return std::string(*(options.begin() + std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)));
  };
  const auto maybe = [&](const char* key, std::initializer_list<const char*> values) {
    if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) return std::string();
    return "," + std::string("\"") + key + "\":" + pick(values);
  };
  switch (std::uniform_int_distribution<int>(0, 19)(rng)) {
    case 0: return pick({"", "not json", "[1,2]", "null", "{\"class\":", "\"text\"", "{}", "1e400"});
    case 1: return "{\"class\":\"Fuzz\",\"args\":" + std::string(150, '[') + std::string(150, ']') + "}";
    default: break;
  }
  std::string text = "{\"jid\":\"fuzz" + std::to_string(i) + "\"";
  text += maybe("class", {"\"Fuzz\"", "\"TwoArgs\"", "\"NoSuch\"", "\"\"", "5", "null", "[\"Fuzz\"]"});
  text += maybe("args", {"[]", "[1]", "[1e400]", "[-1e400]", "[1,\"a@b\"]", "[\"x\",2]", "{}", "\"s\"", "null",
                         "[1.7976931348623157e308]", "[5e-324]", "[18446744073709551616]", "[\"\\u0000\\ud800\"]"});
  text += maybe("retry", {"true", "false", "0", "3", "-1", "1e400", "\"yes\"", "null", "1.5", "99999999999999999999"});
  text += maybe("retry_count", {"0", "-5", "9223372036854775807", "\"3\"", "1.5", "null", "1e308"});
  text += maybe("queue", {"\"default\"", "\"\"", "5", "null", "\"q\\u0000\"", "\"other\""});
  // "Default" and "has space" cannot name a pgmq queue: Postgres retries them where they came from.
  text += maybe("retry_queue", {"\"\"", "5", "\"other\"", "null", "\"Default\"", "\"has space\"", "\"q\\u0001\""});
  text += maybe("backtrace", {"true", "3", "-1", "\"x\"", "1e300", "99999999999"});
  text += maybe("timeout", {"0.001", "-1", "1e300", "\"x\"", "0", "1e-300"});
  text += maybe("created_at", {"1.7e9", "1700000000000", "\"x\"", "-1e300", "1e300", "9223372036854775807"});
  text += maybe("dead", {"false", "true", "\"x\""});
  text += maybe("error_message", {"\"\\u0000\"", "5", "\"\\ud800\""});
  return text + "}";
}

/// `count` random payloads this store accepts: Postgres keeps jsonb and refuses text
/// that is not JSON at insert, as any pgmq client would see.
std::vector<std::string> fuzz_payloads(const Store& store, std::uint64_t seed, int count);

/// A fuzz run's store, processor options and counters: the payloads are in the store.
struct FuzzRun {
  FuzzRun(const std::shared_ptr<Store>& store, std::uint64_t seed, int count) {
    const std::vector<std::string> payloads = fuzz_payloads(*store, seed, count);
    for (const auto& payload : payloads) insert_raw(*store, {payload});
    inserted = payloads.size();
    options.logger = logger;
  }
  std::uint64_t inserted = 0;
  std::atomic<int> ran{0};
  std::shared_ptr<test::CapturingLogger> logger = std::make_shared<test::CapturingLogger>();
  ProcessorOptions options = quick_options(3);
};

std::vector<std::string> fuzz_payloads(const Store& store, std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> payloads;
  for (int i = 0; i < count; ++i) payloads.push_back(random_payload(rng, i));
  if (!store.capabilities().verbatim_payloads) {
    std::erase_if(payloads, [](const std::string& p) {
      // jsonb refuses NUL and lone surrogates in strings
      if (p.find("\\u0000") != std::string::npos || p.find("\\ud800") != std::string::npos) return true;
      try {
        (void)parse_json(p);
        return false;
      } catch (const PayloadError&) {
        return p.find("e400") == std::string::npos;  // JSON to Postgres, beyond a double to errand
      }
    });
  }
  return payloads;
}

/// Runs "Fuzz" (fails when it has an odd number of args, with a message holding invalid
/// UTF-8 and a NUL) and TwoArgs.
void register_fuzz_workers(Processor& processor, std::atomic<int>& ran) {
  processor.register_worker<TwoArgs>();
  processor.register_handler("Fuzz", [&ran](const Job& job, Context&) {
    ++ran;
    std::string message = "invalid UTF-8 \xff\xfe and a NUL: ";
    message.push_back('\0');
    if (job.args().size() % 2 == 1) throw std::runtime_error(message);
  });
}

TEST_P(StoreConformance, FuzzEveryFetchedPayloadEndsDoneRetriedOrDeadAndIsFetchedOnce) {
  FuzzRun run(store, 20261203, 150);
  const std::uint64_t inserted = run.inserted;
  Processor processor(store, run.options);
  register_fuzz_workers(processor, run.ran);
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed >= inserted; }, std::chrono::seconds(60)))
      << processor.stats().processed << " of " << inserted;
  processor.stop();
  EXPECT_EQ(processor.stats().processed, inserted) << "no payload was fetched twice";
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_LE(test::admin(*store).set_size({JobSet::retry}) + test::admin(*store).set_size({JobSet::dead}), static_cast<std::int64_t>(inserted));
  EXPECT_GT(test::admin(*store).set_size({JobSet::dead}), 0);
  EXPECT_GT(test::admin(*store).set_size({JobSet::retry}), 0);
  EXPECT_GT(run.ran.load(), 0) << run.logger->joined();
}

// The same payloads with every retry due at once and two retries allowed: each job runs
// a bounded number of times and the retry set empties. A job whose failure is recorded
// as fetched (no retry_count) would come back for ever instead.
TEST_P(StoreConformance, FuzzWithRetriesDueAtOnceEveryJobEndsDoneOrDead) {
  FuzzRun run(store, 20261204, 100);
  const std::uint64_t inserted = run.inserted;
  run.options.poll_interval_average = ProcessorOptions::min_poll_interval;
  run.options.retry.max_retries = 2;
  run.options.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::seconds(0)); };
  Processor processor(store, run.options);
  register_fuzz_workers(processor, run.ran);
  processor.start();
  // Quiet: nothing waiting, nothing held, and no job run since the last look.
  std::uint64_t last = 0;
  const bool settled = test::eventually(
      [&] {
        const std::uint64_t now = processor.stats().processed;
        const bool idle = now >= inserted && test::admin(*store).queue_size({"default"}) == 0 &&
                          test::admin(*store).set_size({JobSet::retry}) == 0 && test::admin(*store).set_size({JobSet::scheduled}) == 0 &&
                          processor.stats().busy == 0 && now == last;
        last = now;
        if (!idle) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return idle;
      },
      std::chrono::seconds(90));
  processor.stop();
  ASSERT_TRUE(settled) << processor.stats().processed << " runs for " << inserted << " jobs; retry set "
                       << test::admin(*store).set_size({JobSet::retry}) << "\n" << run.logger->joined();
  // A job runs at most 1 + its retries: 2 by default, 3 for "retry": 3, 8 from
  // "retry_count": -5 (as in Sidekiq, a negative count buys retries).
  EXPECT_LE(processor.stats().processed, 8 * inserted);
  EXPECT_GT(test::admin(*store).set_size({JobSet::dead}), 0);
}

}  // namespace
}  // namespace errand::conformance
