// The conformance suites, instantiated on the stores that declare what each needs, and
// the test that each store declares what its factory lists it under. (Apart from
// conformance.cpp, so that other test programs can use the factories without running
// the suites.)
#include "conformance.hpp"

namespace errand::conformance {

namespace {
template <class Predicate>
std::vector<StoreFactory> factories_where(Predicate wanted) {
  std::vector<StoreFactory> chosen;
  for (auto& factory : store_factories()) {
    if (wanted(factory.capabilities)) chosen.push_back(std::move(factory));
  }
  return chosen;
}

std::string store_name(const ::testing::TestParamInfo<StoreFactory>& param) { return param.param.name; }

TEST_P(StoreConformance, DeclaresTheCapabilitiesItsFactoryListsItUnder) {
  const StoreCapabilities actual = store->capabilities();
  const StoreCapabilities& listed = GetParam().capabilities;
  EXPECT_EQ(actual.blocking_fetch, listed.blocking_fetch);
  EXPECT_EQ(actual.reliable_fetch, listed.reliable_fetch);
  EXPECT_EQ(actual.leases, listed.leases);
  EXPECT_EQ(actual.schedules_itself, listed.schedules_itself);
  EXPECT_EQ(actual.verbatim_payloads, listed.verbatim_payloads);
  EXPECT_EQ(actual.any_queue_name, listed.any_queue_name);
  EXPECT_EQ(store->tuning().prefetch_limit, GetParam().tuning.prefetch_limit);
}

// The seam's optional parts: a store lists its processes' jobs (HeldJobs) exactly when
// it has reliable fetch without leases; every real store has the admin operations.
TEST_P(StoreConformance, OffersHeldJobsExactlyWhenItKeepsAnInProgressList) {
  const StoreCapabilities c = store->capabilities();
  EXPECT_EQ(store->held_jobs() != nullptr, c.reliable_fetch && !c.leases);
  EXPECT_NE(store->admin(), nullptr);
}
}  // namespace

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::ValuesIn(store_factories()), store_name);
INSTANTIATE_TEST_SUITE_P(Stores, InProgressListConformance,
                         ::testing::ValuesIn(factories_where([](const StoreCapabilities& c) {
                           return c.reliable_fetch && !c.leases;
                         })),
                         store_name);
INSTANTIATE_TEST_SUITE_P(Stores, ReliableFetchConformance,
                         ::testing::ValuesIn(factories_where([](const StoreCapabilities& c) { return c.reliable_fetch; })),
                         store_name);
INSTANTIATE_TEST_SUITE_P(Stores, LeaseConformance,
                         ::testing::ValuesIn(factories_where([](const StoreCapabilities& c) { return c.leases; })),
                         store_name);
INSTANTIATE_TEST_SUITE_P(Stores, BlockingFetchConformance,
                         ::testing::ValuesIn(factories_where([](const StoreCapabilities& c) { return c.blocking_fetch; })),
                         store_name);

}  // namespace errand::conformance
