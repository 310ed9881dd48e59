#include "store_admins.hpp"

#include <errand/sqlite.hpp>

#include <filesystem>

namespace errand::bench {
namespace {

std::shared_ptr<Store> open(std::string_view url, std::size_t pool) { return open_with(url, pool, &connect_sqlite); }

void reset(std::string_view url) {
  const std::string path = SqliteOptions::from_url(url).path;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
}

ServerCounters counters(std::string_view /*url*/) { return {}; }  // no server to ask

}  // namespace

const StoreSideDoor& sqlite_admin() {
  static constexpr StoreSideDoor admin{open, reset, counters};
  return admin;
}

}  // namespace errand::bench
