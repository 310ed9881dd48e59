#include <errand/error.hpp>

namespace errand {

Error::Error(const std::string& message, std::source_location where)
    : std::runtime_error(message), where_(where) {}

}  // namespace errand
