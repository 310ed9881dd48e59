// Jobs stranded in a live process's own in-progress list: there, but not in memory.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace errand::detail {

/// A job is stranded when its acknowledgement was lost (a connection error after the
/// job finished) or its fetch reply was. It is reclaimed only when two looks in a row
/// find it listed but not held, because a job on its way from the store into memory is
/// listed before it is held, for the length of one round trip.
class StrandedJobs {
 public:
  /// `listed`: the in-progress list now; `held`: the jobs in memory now.
  /// Returns the payloads to give back.
  std::vector<std::string> update(const std::vector<std::string>& listed, const std::vector<std::string>& held);

 private:
  std::multiset<std::string> suspects_;
};

}  // namespace errand::detail
