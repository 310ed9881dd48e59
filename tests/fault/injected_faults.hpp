// The fixture of the fault-injection tests: a real store (from the conformance suite's
// factories) behind test::FaultInjectingStore, a capturing logger, and run counts.
#pragma once

#include "conformance.hpp"

#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/processor.hpp>

#include "capturing_logger.hpp"
#include "fault_injecting_store.hpp"
#include "test_env.hpp"

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace errand::test {

using Call = StoreCall;

inline constexpr std::chrono::seconds deadline{20};

/// Counts the runs of each jid; the handler's behaviour is chosen per test.
struct Runs {
  void add(const std::string& jid) {
    std::lock_guard lock(mutex);
    ++by_jid[jid];
  }
  int of(const std::string& jid) {
    std::lock_guard lock(mutex);
    return by_jid[jid];
  }
  std::mutex mutex;
  std::map<std::string, int> by_jid;
};

/// Releases every stall before a processor (declared earlier) is destroyed, so that a
/// failed assertion never leaves a thread waiting for ever.
struct ReleaseOnExit {
  FaultInjectingStore& faults;
  ~ReleaseOnExit() { faults.stop(); }
};

class InjectedFaults : public ::testing::TestWithParam<conformance::StoreFactory> {
 protected:
  const test::TempDir scratch;  // the store's files, if it keeps any
  void SetUp() override {
    store = GetParam().make(scratch);
    faults = std::make_shared<FaultInjectingStore>(store);
    options.logger = logger;
  }
  void TearDown() override {
    faults.reset();
    store.reset();
  }

  bool reliable() const { return store->capabilities().reliable_fetch; }
  /// Where a job retried without a retry_count waits: Postgres counts it as scheduled.
  JobSet verbatim_retry_set() const { return store->capabilities().verbatim_payloads ? JobSet::retry : JobSet::scheduled; }
  StoreAdmin& admin() const { return test::admin(*store); }
  std::int64_t size(JobSet set) const { return admin().set_size({set}); }
  /// The entry of `jid` in `set`, parsed; fails the test when absent.
  Job entry(JobSet set, const std::string& jid) const {
    for (const auto& e : admin().set_list({set, 100})) {
      Job job = Job::parse(e.payload);
      if (job.jid() == jid) return job;
    }
    ADD_FAILURE() << "jid " << jid << " is not in the set";
    return Job(json::object{});
  }
  /// The failure-path tests' handler for class "Job": counts the run, then throws "boom".
  void fail_every_run(Processor& processor) {
    processor.register_handler("Job", [this](const Job& job, Context&) {
      runs.add(std::string(job.jid()));
      throw std::runtime_error("boom");
    });
  }
  /// Nothing waiting and (on a store with a list of held jobs) nothing held by anyone.
  bool queue_empty() const { return admin().queue_size({"default"}) == 0; }

  std::shared_ptr<Store> store;
  std::shared_ptr<FaultInjectingStore> faults;
  std::shared_ptr<CapturingLogger> logger = std::make_shared<CapturingLogger>();
  ProcessorOptions options = conformance::quick_options(1);
  Runs runs;
};

inline std::string enqueue(const std::shared_ptr<Store>& store, json::object extra = {}) {
  json::object fields{{"class", "Job"}, {"args", json::array{1}}, {"queue", "default"}};
  for (auto& [key, value] : extra) fields[key] = value;
  return Client{store}.push(Job(std::move(fields))).value();
}

inline std::string_view error_message_of(const Job& job) {
  const json::value* message = job.find("error_message");
  return message != nullptr && message->is_string() ? std::string_view(message->get_string()) : std::string_view();
}

}  // namespace errand::test
