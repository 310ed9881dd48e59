// Conformance: settings at zero, on every store: a dead set limited to 0 jobs keeps none,
// a 0 shutdown timeout pushes running jobs back at once, and with no acknowledgements in
// flight each job is still acknowledged.
#include "conformance.hpp"

#include "test_env.hpp"

#include <errand/client.hpp>

#include <atomic>
#include <thread>

namespace errand::conformance {
namespace {

const std::string limits_owner = "tester:1:000000000000";

std::string limits_payload(const std::string& queue, const std::string& jid) {
  return to_json(json::object{{"class", "C"}, {"args", json::array{}}, {"queue", queue}, {"jid", jid}});
}

// Sidekiq trims with ZREMRANGEBYRANK dead 0 -max_jobs, keeping max_jobs - 1 entries; a
// max_jobs of 0 keeps none on every store, even entries killed under a larger limit.
TEST_P(StoreConformance, ADeadSetLimitedToZeroJobsKeepsNone) {
  const TimePoint now = Clock::now();
  insert("q", "earlier");
  store->job_kill({fetch({"q"}).at(0), limits_payload("q", "earlier"), now, {.max_jobs = 10}, limits_owner});
  ASSERT_EQ(test::admin(*store).set_size({JobSet::dead}), 1);
  insert("q", "now");
  store->job_kill({fetch({"q"}).at(0), limits_payload("q", "now"), now + std::chrono::seconds(1), {.max_jobs = 0}, limits_owner});
  EXPECT_EQ(test::admin(*store).set_size({JobSet::dead}), 0) << "dead-max-jobs = 0 keeps no dead job";
  EXPECT_TRUE(held_by(limits_owner).empty());
}

TEST_P(StoreConformance, AZeroShutdownTimeoutPushesTheRunningJobBackAtOnce) {
  Client client{store};
  (void)client.enqueue_raw("Long", "default", {});
  std::atomic<bool> started{false};
  ProcessorOptions options = quick_options(1);
  options.shutdown_timeout = std::chrono::milliseconds(0);
  Processor processor(store, options);
  processor.register_handler("Long", [&](const Job&, Context& ctx) {
    started = true;
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return started.load(); }, std::chrono::seconds(30)));
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1) << "back in its queue";
  EXPECT_EQ(test::admin(*store).set_size({JobSet::retry}), 0) << "not counted as a failure";
  EXPECT_TRUE(held_by(processor.identity()).empty());
}

TEST_P(ReliableFetchConformance, WithNoAcknowledgementInFlightEveryJobIsAcknowledged) {
  Client client{store};
  std::atomic<int> ran{0};
  ProcessorOptions options = quick_options(3);
  options.unacknowledged_limit = 0;  // each job thread writes its own acknowledgement
  options.prefetch = 0;
  Processor processor(store, options);
  processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
  processor.start();
  for (int i = 0; i < 20; ++i) (void)client.enqueue_raw("Count", "default", {i});
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 20; }, std::chrono::seconds(30)));
  // Acknowledged as they finished, not at stop: nothing is left in the in-progress list.
  EXPECT_TRUE(test::eventually([&] { return held_by(processor.identity()).empty(); }));
  processor.stop();
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_EQ(ran.load(), 20);
}

}  // namespace
}  // namespace errand::conformance
