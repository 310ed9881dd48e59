// A job must stay "held" until its outcome is in the store: with slow acknowledgements
// (SQLite's write lock under load), a job listed in progress but released from memory
// was given back as stranded and ran twice.
#include <errand/client.hpp>
#include <errand/processor.hpp>
#include <errand/sqlite.hpp>

#include "kit/forwarding_store.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

namespace errand::sqlite_test {

/// A store whose acknowledgements take `delay`; everything else goes straight through.
class SlowAcks final : public detail::ForwardingStore {
 public:
  SlowAcks(std::shared_ptr<Store> inner, std::chrono::milliseconds delay) : ForwardingStore(std::move(inner)), delay_(delay) {}
  void job_complete(const JobCompleteParams& p) override {
    std::this_thread::sleep_for(delay_);
    inner().job_complete(p);
  }

 private:
  std::chrono::milliseconds delay_;
};

TEST(SlowAcknowledgements, NeverMakeAJobRunTwice) {
  const test::TempDir dir;
  {
    SqliteOptions sqlite;
    sqlite.path = dir.file("jobs.db");
    auto store = std::make_shared<SlowAcks>(connect_sqlite(sqlite), std::chrono::milliseconds(400));
    ProcessorOptions options;
    options.concurrency = 2;
    options.logger = null_logger();
    options.heartbeat_interval = std::chrono::milliseconds(50);
    options.poll_interval_average = std::chrono::milliseconds(50);  // many looks during each ack
    Processor processor(store, options);
    std::mutex mutex;
    std::map<std::string, int> runs;
    processor.register_handler("Job", [&](const Job& job, Context&) {
      std::lock_guard lock(mutex);
      ++runs[std::string(job.jid())];
    });
    Client client{store};
    for (int i = 0; i < 8; ++i) (void)client.enqueue_raw("Job", "default", {});
    processor.start();
    ASSERT_TRUE(test::eventually([&] { return test::held_jobs(*store).job_list_held({processor.identity()}).empty() &&
                                              test::admin(*store).queue_size({"default"}) == 0; },
                                 std::chrono::seconds(20)));
    processor.stop();
    ASSERT_EQ(runs.size(), 8U);
    for (const auto& [jid, count] : runs) EXPECT_EQ(count, 1) << jid;
  }
}

}  // namespace errand::sqlite_test
