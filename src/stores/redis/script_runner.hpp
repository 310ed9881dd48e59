// Runs Lua scripts by SHA (EVALSHA), loading each once and again after a Redis restart.
#pragma once

#include "redis/connection.hpp"

#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace errand::redis {

class ScriptRunner {
 public:
  /// Runs `script` (one of the constants in scripts.hpp) with `keys` and `args`.
  /// Throws errand::StoreError for an error reply.
  Reply run(Connection& c, std::string_view script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args);
  /// The same for arguments that live elsewhere (a batch's payloads: not copied).
  Reply run(Connection& c, std::string_view script, std::span<const std::string_view> keys,
            std::span<const std::string_view> args);

 private:
  std::string load(Connection& c, std::string_view script);

  std::mutex mutex_;
  std::map<const char*, std::string> shas_;  // by the script constant's address
};

}  // namespace errand::redis
