#include "core/stranded_jobs.hpp"

namespace errand::detail {

std::vector<std::string> StrandedJobs::update(const std::vector<std::string>& listed,
                                              const std::vector<std::string>& held, std::uint64_t transfers_before,
                                              std::uint64_t transfers_after) {
  std::multiset<std::string> not_held(listed.begin(), listed.end());
  for (const auto& payload : held) {
    const auto it = not_held.find(payload);
    if (it != not_held.end()) not_held.erase(it);
  }
  // Every transfer under way during the last look (counter odd) has finished since.
  const std::uint64_t settled = transfers_after_last_look_ + (transfers_after_last_look_ % 2);
  const bool confirmable = looked_ && transfers_before >= settled;
  std::vector<std::string> reclaim;
  if (confirmable) {
    for (auto it = not_held.begin(); it != not_held.end();) {
      const auto suspect = suspects_.find(*it);
      if (suspect == suspects_.end()) {
        ++it;
        continue;
      }
      suspects_.erase(suspect);
      reclaim.push_back(*it);
      it = not_held.erase(it);
    }
  }
  suspects_ = std::move(not_held);
  looked_ = true;
  transfers_after_last_look_ = transfers_after;
  return reclaim;
}

}  // namespace errand::detail
