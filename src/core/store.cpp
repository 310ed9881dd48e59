#include <errand/store.hpp>

#include <stdexcept>
#include <string>

namespace errand {

std::size_t Store::job_schedule_due(const JobScheduleDueParams& /*params*/) {
  throw std::logic_error("errand: the " + std::string(name()) +
                         " store schedules its jobs itself (StoreCapabilities::schedules_itself); "
                         "nothing calls job_schedule_due on it");
}

}  // namespace errand
