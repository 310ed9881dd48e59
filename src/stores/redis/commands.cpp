#include "redis/commands.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <new>
#include <vector>

namespace errand::redis {

void Commands::add(std::span<const std::string_view> argv) {
  std::vector<const char*> args(argv.size());
  std::vector<std::size_t> lengths(argv.size());
  for (std::size_t i = 0; i < argv.size(); ++i) {
    args[i] = argv[i].data();
    lengths[i] = argv[i].size();
  }
  char* formatted = nullptr;
  const long long length =
      redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), args.data(), lengths.data());
  if (length < 0 || formatted == nullptr) throw std::bad_alloc();
  const std::unique_ptr<char, decltype(&redisFreeCommand)> owner(formatted, &redisFreeCommand);
  wire_.append(formatted, static_cast<std::size_t>(length));
  ++count_;
}

}  // namespace errand::redis
