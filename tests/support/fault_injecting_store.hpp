// A store wrapper that makes chosen calls fail or stall, deterministically, for tests of
// the recovery paths (issue #12 §7).
//
//   auto faults = std::make_shared<test::FaultInjectingStore>(real_store);
//   faults->fail_next(test::StoreCall::job_retry, 2);             // the next two calls throw
//   faults->fail_call(test::StoreCall::job_complete, 3);          // the 3rd call since creation throws
//   faults->stall_next(test::StoreCall::process_beat, 1);         // the next call waits ...
//   test::eventually([&] { return faults->stalled(test::StoreCall::process_beat) == 1; });
//   faults->release(test::StoreCall::process_beat);               // ... until released (or stop())
//
// Every call of the seven verbs below is counted (thread-safe), with the time it began;
// a faulty call throws before reaching the real store (which never sees it), a stalled
// call reaches the real store once released. Rules are consumed in the order they were
// added; calls no rule matches go straight through.
#pragma once

#include "kit/forwarding_store.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace errand::test {

/// The calls that can be made to fail.
enum class StoreCall { job_fetch, job_complete, job_retry, job_kill, job_give_back, process_beat, job_insert_many };
inline constexpr std::size_t store_call_kinds = 7;

std::string_view to_string(StoreCall call);

/// Throws the error a faulty call fails with; called anew for each faulty call, so that
/// threads never share one exception object.
using Raise = std::function<void()>;

/// A Raise that throws E(message).
template <class E>
Raise raise(std::string message) {
  return [message = std::move(message)] { throw E(message); };
}

class FaultInjectingStore final : public detail::ForwardingStore {
 public:
  explicit FaultInjectingStore(std::shared_ptr<Store> inner);
  ~FaultInjectingStore() override;

  /// The next `k` calls of `call` throw what `error` throws (default: errand::ConnectionError
  /// naming the call, as a lost connection would).
  void fail_next(StoreCall call, std::uint64_t k, Raise error = {});
  /// The `n`-th call of `call` since this wrapper was made (1-based) throws.
  void fail_call(StoreCall call, std::uint64_t n, Raise error = {});
  /// The next `k` calls of `call` wait until release(call), stop(), or (job_fetch) the
  /// fetch's own stop token; then they go to the real store.
  void stall_next(StoreCall call, std::uint64_t k);
  /// The `n`-th call of `call` stalls.
  void stall_call(StoreCall call, std::uint64_t n);
  /// Lets every call of `call` that is stalled now go on.
  void release(StoreCall call);
  /// Drops the rules for `call` not yet used (stalled calls stay stalled until released).
  void clear(StoreCall call);
  /// Releases every stalled call, and makes every later stall pass at once.
  void stop();

  /// Calls of `call` so far (faulty and stalled ones included).
  [[nodiscard]] std::uint64_t calls(StoreCall call) const;
  /// Calls of `call` that threw an injected error.
  [[nodiscard]] std::uint64_t failures(StoreCall call) const;
  /// Calls of `call` stalled right now.
  [[nodiscard]] std::uint64_t stalled(StoreCall call) const;
  /// When each call of `call` began, in order.
  [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> call_times(StoreCall call) const;
  /// How many times the job with this jid came out of job_fetch (parsed from the payloads
  /// fetched; unparseable payloads are counted under "").
  [[nodiscard]] std::uint64_t fetches_of(std::string_view jid) const;
  /// One job_fetch call that returned: when it began and ended, the jids it returned.
  struct FetchRecord {
    std::chrono::steady_clock::time_point began;
    std::chrono::steady_clock::time_point ended;
    std::vector<std::string> jids;
  };
  /// The job_fetch calls that returned (not those that threw), in the order they ended.
  [[nodiscard]] std::vector<FetchRecord> fetch_records() const;

  void job_insert_many(const JobInsertManyParams& p) override;
  std::vector<FetchedJob> job_fetch(const JobFetchParams& p) override;
  void job_complete(const JobCompleteParams& p) override;
  void job_give_back(const JobGiveBackParams& p) override;
  void job_retry(const JobRetryParams& p) override;
  void job_kill(const JobKillParams& p) override;
  ProcessBeatResult process_beat(const ProcessBeatParams& p) override;

 private:
  enum class Action { fail, stall };
  struct Rule {
    Action action;
    std::uint64_t first;  ///< the first call number it applies to (1-based)
    std::uint64_t last;   ///< the last one
    Raise error;
  };
  struct PerCall {
    std::uint64_t calls = 0;
    std::uint64_t failures = 0;
    std::uint64_t stalled = 0;
    std::uint64_t releases = 0;  ///< bumped by release(): stalled calls wait for a change
    std::vector<Rule> rules;
    std::vector<std::chrono::steady_clock::time_point> times;
  };

  /// Counts the call and applies its rule: throws, waits, or returns at once.
  void enter(StoreCall call, const std::stop_token& stop = {});
  void add_rule(StoreCall call, Action action, std::uint64_t first, std::uint64_t count, Raise error);
  PerCall& slot(StoreCall call) { return per_call_.at(static_cast<std::size_t>(call)); }
  const PerCall& slot(StoreCall call) const { return per_call_.at(static_cast<std::size_t>(call)); }

  mutable std::mutex mutex_;
  std::condition_variable_any changed_;
  bool stopped_ = false;
  std::array<PerCall, store_call_kinds> per_call_{};
  std::map<std::string, std::uint64_t, std::less<>> fetched_jids_;
  std::vector<FetchRecord> fetch_records_;
};

}  // namespace errand::test
