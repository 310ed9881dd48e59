#include "core/deadlines.hpp"

namespace errand::detail {

Deadlines::Deadline::Deadline(Deadlines& owner, TimePoint at) : owner_(owner), at_(at) { owner_.arm(*this); }

Deadlines::Deadline::~Deadline() { owner_.disarm(*this); }

void Deadlines::Deadline::follow(const std::stop_token& other) {
  follow_.emplace(other, Forward{&stop_});
}

void Deadlines::arm(Deadline& deadline) {
  {
    std::lock_guard lock(mutex_);
    armed_.emplace(deadline.at_, &deadline);
    if (!thread_.joinable()) thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  }
  changed_.notify_one();
}

void Deadlines::disarm(Deadline& deadline) {
  std::lock_guard lock(mutex_);  // the timer fires under it: after this, it never touches `deadline`
  armed_.erase({deadline.at_, &deadline});
}

void Deadlines::stop() {
  std::jthread thread;
  {
    std::lock_guard lock(mutex_);
    thread = std::move(thread_);
  }
  if (!thread.joinable()) return;
  thread.request_stop();
  changed_.notify_one();
  thread.join();
}

void Deadlines::run(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    if (armed_.empty()) {
      changed_.wait(lock, stop, [&] { return !armed_.empty(); });
      continue;
    }
    const auto [at, deadline] = *armed_.begin();
    if (std::chrono::steady_clock::now() < at) {
      // Until the earliest deadline, or until an earlier one is armed.
      changed_.wait_until(lock, stop, at, [&] { return armed_.empty() || armed_.begin()->first < at; });
      continue;
    }
    armed_.erase(armed_.begin());
    deadline->fired_ = true;
    deadline->stop_.request_stop();
  }
}

}  // namespace errand::detail
