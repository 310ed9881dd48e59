// A job must stay "held" until its outcome is in the store: with slow acknowledgements
// (SQLite's write lock under load), a job listed in progress but released from memory
// was given back as stranded and ran twice.
#include <errand/client.hpp>
#include <errand/processor.hpp>
#include <errand/sqlite.hpp>

#include "test_env.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace errand::sqlite_test {

/// A store whose acknowledgements take `delay`; everything else goes straight through.
class SlowAcks final : public Store {
 public:
  SlowAcks(std::shared_ptr<Store> inner, std::chrono::milliseconds delay) : inner_(std::move(inner)), delay_(delay) {}
  std::string_view name() const noexcept override { return inner_->name(); }
  StoreCapabilities capabilities() const noexcept override { return inner_->capabilities(); }
  void job_insert_many(const JobInsertManyParams& p) override { inner_->job_insert_many(p); }
  std::vector<FetchedJob> job_fetch(const JobFetchParams& p) override { return inner_->job_fetch(p); }
  void job_complete(const JobCompleteParams& p) override {
    std::this_thread::sleep_for(delay_);
    inner_->job_complete(p);
  }
  void job_requeue(const JobRequeueParams& p) override { inner_->job_requeue(p); }
  void job_retry(const JobRetryParams& p) override { inner_->job_retry(p); }
  void job_kill(const JobKillParams& p) override { inner_->job_kill(p); }
  std::size_t job_schedule_due(const JobScheduleDueParams& p) override { return inner_->job_schedule_due(p); }
  std::size_t job_rescue_orphans(const JobRescueParams& p) override { return inner_->job_rescue_orphans(p); }
  std::vector<std::string> job_in_progress(std::string_view owner) override { return inner_->job_in_progress(owner); }
  std::size_t job_reclaim(const JobReclaimParams& p) override { return inner_->job_reclaim(p); }
  ProcessBeatResult process_beat(const ProcessBeatParams& p) override { return inner_->process_beat(p); }
  void process_stop(std::string_view id, SidekiqVersion v) override { inner_->process_stop(id, v); }
  std::int64_t process_count() override { return inner_->process_count(); }
  StoreStats stats() override { return inner_->stats(); }
  std::int64_t queue_size(std::string_view q) override { return inner_->queue_size(q); }
  std::vector<std::string> queue_names() override { return inner_->queue_names(); }
  std::vector<SetEntry> set_entries(JobSet s, std::size_t n) override { return inner_->set_entries(s, n); }
  std::int64_t set_size(JobSet s) override { return inner_->set_size(s); }
  std::size_t set_enqueue_now(JobSet s, const SetSelection& w) override { return inner_->set_enqueue_now(s, w); }
  std::size_t set_delete(JobSet s, const SetSelection& w) override { return inner_->set_delete(s, w); }
  std::size_t queue_clear(std::string_view q) override { return inner_->queue_clear(q); }

 private:
  std::shared_ptr<Store> inner_;
  std::chrono::milliseconds delay_;
};

TEST(SlowAcknowledgements, NeverMakeAJobRunTwice) {
  const auto path = std::filesystem::temp_directory_path() / ("errand-slow-ack-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    SqliteOptions sqlite;
    sqlite.path = path.string();
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
    ASSERT_TRUE(test::eventually([&] { return store->job_in_progress(processor.identity()).empty() &&
                                              store->queue_size("default") == 0; },
                                 std::chrono::seconds(20)));
    processor.stop();
    ASSERT_EQ(runs.size(), 8U);
    for (const auto& [jid, count] : runs) EXPECT_EQ(count, 1) << jid;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace errand::sqlite_test
