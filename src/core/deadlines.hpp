// Per-job timeouts: one thread stops a running job when its time is up.
//
// C++ cannot safely kill a thread, so a timeout is cooperative: the job's stop token
// fires (Context::stop_requested()), and the job is expected to return or throw soon.
// Whatever it does then, the run counts as failed with errand::JobTimeoutError.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>
#include <utility>

namespace errand::detail {

class Deadlines {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// One run's deadline: armed while it lives, stopping `stop` when it passes.
  class Deadline {
   public:
    Deadline(Deadlines& owner, TimePoint at);
    Deadline(const Deadline&) = delete;
    Deadline& operator=(const Deadline&) = delete;
    /// Disarms: once it returns, the deadline no longer fires.
    ~Deadline();

    /// The token the job sees: fired by the deadline, or by what it follows.
    [[nodiscard]] std::stop_token token() const noexcept { return stop_.get_token(); }
    /// Also stop when `other` fires (for as long as this deadline lives).
    void follow(const std::stop_token& other);
    /// True once the deadline passed while the job ran.
    [[nodiscard]] bool fired() const noexcept { return fired_.load(); }

   private:
    friend class Deadlines;
    struct Forward {
      std::stop_source* to;
      void operator()() const noexcept { to->request_stop(); }
    };
    Deadlines& owner_;
    TimePoint at_;
    std::stop_source stop_;
    std::atomic<bool> fired_{false};
    std::optional<std::stop_callback<Forward>> follow_;  // destroyed first: before stop_
  };

  Deadlines() = default;
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;
  ~Deadlines() { stop(); }

  /// Ends the timer thread. (The first deadline starts it: a processor whose jobs have
  /// no timeout has no such thread.)
  void stop();

 private:
  void arm(Deadline& deadline);
  void disarm(Deadline& deadline);
  void run(const std::stop_token& stop);

  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::set<std::pair<TimePoint, Deadline*>> armed_;
  std::jthread thread_;
};

}  // namespace errand::detail
