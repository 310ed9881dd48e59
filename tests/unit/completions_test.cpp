// Completions: acknowledgements written in batches by group commit, held until written.
#include <errand/memory.hpp>

#include "core/completions.hpp"
#include "kit/forwarding_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

namespace errand::completions_test {

/// Records each job_complete batch; the first one waits until released.
class RecordingStore final : public detail::ForwardingStore {
 public:
  RecordingStore() : ForwardingStore(make_memory_store()) {}
  void job_complete(const JobCompleteParams& p) override {
    std::unique_lock lock(mutex_);
    batches_.push_back(p.jobs.size());
    changed_.notify_all();
    if (batches_.size() == 1) changed_.wait(lock, [&] { return released_; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  void wait_batches(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return batches_.size() >= n; });
  }
  std::vector<std::size_t> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::size_t> batches_;
  bool released_ = false;
};

FetchedJob job(std::uint64_t n) { return {"default", "{\"jid\":\"" + std::to_string(n) + "\"}", n, 1}; }

TEST(Completions, WhileOneBatchIsWrittenTheNextOnesGather) {
  RecordingStore store;
  detail::Completions completions(store, *null_logger(), "me", [] { return std::size_t{1000}; });
  completions.start();
  completions.add(job(1));
  store.wait_batches(1);  // the first write is under way (and held)
  for (std::uint64_t n = 2; n <= 11; ++n) completions.add(job(n));
  EXPECT_EQ(completions.pending().size(), 11U) << "written or not, every job is still held";
  store.release();
  completions.stop();
  const auto batches = store.batches();
  ASSERT_EQ(batches.size(), 2U);
  EXPECT_EQ(batches[0], 1U);
  EXPECT_EQ(batches[1], 10U) << "the ten that came during the first write go in one";
  EXPECT_TRUE(completions.pending().empty());
}

TEST(Completions, StopWritesEverythingHandedOver) {
  RecordingStore store;
  store.release();
  detail::Completions completions(store, *null_logger(), "me", [] { return std::size_t{1000}; });
  completions.start();
  for (std::uint64_t n = 1; n <= 2500; ++n) completions.add(job(n));
  completions.stop();
  const auto batches = store.batches();
  EXPECT_EQ(std::accumulate(batches.begin(), batches.end(), std::size_t{0}), 2500U);
  for (const auto size : batches) EXPECT_LE(size, 1000U);
  EXPECT_TRUE(completions.pending().empty());
}

TEST(Completions, AFinishedJobWaitsWhileTheLimitIsOnItsWay) {
  RecordingStore store;
  detail::Completions completions(store, *null_logger(), "me", [] { return std::size_t{4}; });
  completions.start();
  completions.add(job(1));
  store.wait_batches(1);  // held: 1 being written
  for (std::uint64_t n = 2; n <= 4; ++n) completions.add(job(n));
  std::atomic<bool> fifth_added{false};
  std::thread worker([&] {
    completions.add(job(5));
    fifth_added = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(fifth_added.load()) << "4 on their way: the fifth waits for room";
  EXPECT_EQ(completions.pending().size(), 4U);
  store.release();
  worker.join();
  EXPECT_TRUE(fifth_added.load());
  completions.stop();
  const auto batches = store.batches();
  EXPECT_EQ(std::accumulate(batches.begin(), batches.end(), std::size_t{0}), 5U);
  for (const auto size : batches) EXPECT_LE(size, 4U);
}

TEST(Completions, LimitZeroWritesOnTheCallersThread) {
  RecordingStore store;
  store.release();
  detail::Completions completions(store, *null_logger(), "me", [] { return std::size_t{0}; });
  completions.start();
  completions.add(job(1));
  EXPECT_EQ(store.batches(), std::vector<std::size_t>{1}) << "written before add() returned";
  completions.add(job(2));
  EXPECT_EQ(store.batches().size(), 2U);
  EXPECT_TRUE(completions.pending().empty());
}

TEST(Completions, AJobAddedAfterStopIsStillWritten) {
  RecordingStore store;
  store.release();
  detail::Completions completions(store, *null_logger(), "me", [] { return std::size_t{8}; });
  completions.start();
  completions.stop();
  completions.add(job(1));  // a job thread still ending after a forced stop
  EXPECT_EQ(store.batches(), std::vector<std::size_t>{1});
}

}  // namespace errand::completions_test
