// Jobs stranded in a live process's own in-progress list: there, but not in memory.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace errand::detail {

/// A job is stranded when its acknowledgement was lost (a connection error after the
/// job finished) or its fetch reply was. A job on its way from the store into memory is
/// also listed but not held, for as long as the fetcher takes to hand it over, so a
/// suspect is confirmed only on a later look, and only once every transfer that could
/// have carried it has finished.
///
/// Transfers are counted by the fetcher: it bumps a counter when one starts (odd) and
/// when its jobs are in memory (even).
class StrandedJobs {
 public:
  /// One look. `listed`: the in-progress list; `held`: the jobs in memory;
  /// `transfers_before` / `transfers_after`: the counter read before listing and after
  /// taking `held`. Returns the payloads to give back.
  std::vector<std::string> update(const std::vector<std::string>& listed, const std::vector<std::string>& held,
                                  std::uint64_t transfers_before, std::uint64_t transfers_after);

 private:
  std::multiset<std::string> suspects_;
  bool looked_ = false;
  std::uint64_t transfers_after_last_look_ = 0;
};

}  // namespace errand::detail
