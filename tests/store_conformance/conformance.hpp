// The store conformance suite: the same behavioural tests for every Store. A store
// joins by adding a factory to store_factories() (conformance.cpp). Behaviour that
// only some stores have (a capability) has its own suite, run on exactly the stores
// that declare it, so that no test is skipped.
#pragma once

#include <errand/processor.hpp>
#include <errand/store.hpp>

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include "test_env.hpp"

#include <functional>
#include <memory>
#include <string>

namespace errand::conformance {

struct StoreFactory {
  std::string name;
  /// What make()'s stores declare (a test checks that they do): picks the suites below.
  StoreCapabilities capabilities;
  /// What make()'s stores say of their tuning (a test checks that too).
  StoreTuning tuning;
  /// A fresh, empty store; one kept in files keeps them in `dir`, the test's own
  /// (removed after the test).
  std::function<std::shared_ptr<Store>(const test::TempDir& dir)> make;
};

/// Names the store in test output, instead of gtest's byte dump.
void PrintTo(const StoreFactory& factory, std::ostream* out);

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store = GetParam().make(scratch); }
  void TearDown() override { store.reset(); }

 public:
  /// Inserts a ready job of class "C" with `jid`; returns its payload.
  std::string insert(const std::string& queue, const std::string& jid);
  /// Fetches up to `max` jobs from `queues`, without waiting.
  std::vector<FetchedJob> fetch(std::vector<std::string> queues, std::size_t max = 10,
                                const std::string& owner = "tester:1:000000000000");
  static std::vector<std::string> jids(const std::vector<FetchedJob>& jobs);
  /// The payloads the store lists as held by `owner`: none on a store without HeldJobs.
  std::vector<std::string> held_by(const std::string& owner);
  /// The same JSON (byte for byte on stores that keep payloads verbatim).
  void expect_same_payload(const std::string& actual, const std::string& expected) const;

 protected:
  test::TempDir scratch;
  std::shared_ptr<Store> store;
};

/// Stores with reliable fetch kept in a per-process in-progress list (no leases): the
/// jobs of a dead process are rescued, a live one reclaims its own stranded jobs.
class InProgressListConformance : public StoreConformance {};
/// Stores whose fetched jobs are leased: heartbeats renew them, and they come back
/// by themselves when the lease runs out.
class LeaseConformance : public StoreConformance {};
/// Stores with reliable fetch, where a processor fetches jobs ahead of its threads.
class ReliableFetchConformance : public StoreConformance {};
/// Stores whose fetch can wait for a job to arrive.
class BlockingFetchConformance : public StoreConformance {};

std::vector<StoreFactory> store_factories();

/// Options for a processor under test: quick heartbeats, polls and shutdown, no log output.
ProcessorOptions quick_options(int concurrency);

}  // namespace errand::conformance
