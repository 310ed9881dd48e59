#include "core/stranded_jobs.hpp"

namespace errand::detail {

std::vector<std::string> StrandedJobs::update(const std::vector<std::string>& listed,
                                              const std::vector<std::string>& held) {
  std::multiset<std::string> not_held(listed.begin(), listed.end());
  for (const auto& payload : held) {
    const auto it = not_held.find(payload);
    if (it != not_held.end()) not_held.erase(it);
  }
  std::vector<std::string> reclaim;
  for (const auto& payload : not_held) {
    const auto it = suspects_.find(payload);
    if (it == suspects_.end()) continue;
    suspects_.erase(it);
    reclaim.push_back(payload);
  }
  suspects_ = std::move(not_held);
  for (const auto& payload : reclaim) {
    const auto it = suspects_.find(payload);
    if (it != suspects_.end()) suspects_.erase(it);
  }
  return reclaim;
}

}  // namespace errand::detail
