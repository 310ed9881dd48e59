// An in-process store: jobs live in this process's memory and die with it.
// For unit tests and for trying errand out; nothing here survives a restart.
#pragma once

#include <errand/store.hpp>

#include <memory>
#include <string>
#include <vector>

namespace errand {

[[nodiscard]] std::shared_ptr<Store> make_memory_store();

/// The payloads waiting in `queue` of a memory store, next to run first.
[[nodiscard]] std::vector<std::string> memory_queue_contents(Store& memory_store, std::string_view queue);

}  // namespace errand
