#include <errand/error.hpp>
#include <errand/registry.hpp>

#include <fmt/format.h>

namespace errand {

void WorkerRegistry::add_handler(std::string class_name, JobOptions options, JobHandler handler,
                                 RetryInHook retry_in, JobErrorHandler retries_exhausted) {
  if (class_name.empty()) throw ConfigError("errand: a worker's class name must not be empty");
  if (!handler) throw ConfigError(fmt::format("errand: the handler for \"{}\" is empty", class_name));
  if (entries_.contains(class_name)) {
    throw ConfigError(fmt::format("errand: a worker for class \"{}\" is already registered; each class name "
                                  "maps to one worker (set class_name to tell two apart)",
                                  class_name));
  }
  std::string key = class_name;
  entries_.emplace(std::move(key), Entry{std::move(class_name), std::move(options), std::move(handler), std::move(retry_in),
                                    std::move(retries_exhausted)});
}

bool WorkerRegistry::override_options(std::string_view class_name, const JobOptions& overrides) {
  const auto it = entries_.find(class_name);
  if (it == entries_.end()) return false;
  it->second.options = it->second.options.merged_with(overrides);
  return true;
}

const WorkerRegistry::Entry* WorkerRegistry::find(std::string_view class_name) const {
  const auto it = entries_.find(class_name);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace errand
