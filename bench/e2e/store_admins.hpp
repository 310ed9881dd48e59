// Each store's side door for the bench, one file per store, so that a bench binary links
// only the stores it measures (as an app that uses one store links only that one, and
// its RSS is not that of libpq, hiredis and SQLite together).
#pragma once

#include "store_admin.hpp"

namespace errand::bench {

struct StoreSideDoor {
  std::shared_ptr<Store> (*open)(std::string_view url, std::size_t pool);  ///< pool 0: the store's default
  void (*reset)(std::string_view url);
  ServerCounters (*counters)(std::string_view url);
};

const StoreSideDoor& redis_admin();     // redis_admin.cpp
const StoreSideDoor& postgres_admin();  // postgres_admin.cpp
const StoreSideDoor& sqlite_admin();    // sqlite_admin.cpp

/// Options::from_url(url), with `pool` connections when non-zero, opened by `connect`.
template <class Options>
std::shared_ptr<Store> open_with(std::string_view url, std::size_t pool,
                                 std::shared_ptr<Store> (*connect)(const Options&)) {
  Options options = Options::from_url(url);
  if (pool != 0) options.pool_size = pool;
  return connect(options);
}

/// The admin of `kind` when this binary links that store, else null (linked_stores.cpp,
/// compiled per binary with ERRAND_BENCH_WITH_REDIS, _POSTGRES, _SQLITE).
[[nodiscard]] const StoreSideDoor* linked_store(StoreKind kind) noexcept;

}  // namespace errand::bench
