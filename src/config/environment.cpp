// errand::Environment: where configuration reads variables, injectable for tests.
#include <errand/config.hpp>

#include <cstdlib>

namespace errand {

Environment::Environment(Lookup lookup) : lookup_(std::move(lookup)) {}

Environment Environment::process() {
  return Environment([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe): read-only use
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

Environment Environment::from_map(std::map<std::string, std::string, std::less<>> variables) {
  return Environment([variables = std::move(variables)](std::string_view name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  });
}

std::optional<std::string> Environment::get(std::string_view name) const {
  auto value = lookup_ ? lookup_(name) : std::nullopt;
  // VAR= in a shell or a compose file means "not set", not "set to nothing".
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace errand
