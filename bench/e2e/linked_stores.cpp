// Which stores this bench binary measures: compiled once per binary, with the
// definitions its CMake target sets (bench/CMakeLists.txt, errand_bench_binary).
#include "store_admins.hpp"

namespace errand::bench {

const StoreSideDoor* linked_store(StoreKind kind) noexcept {
  switch (kind) {
#if ERRAND_BENCH_WITH_REDIS
    case StoreKind::redis: return &redis_admin();
#endif
#if ERRAND_BENCH_WITH_POSTGRES
    case StoreKind::postgres: return &postgres_admin();
#endif
#if ERRAND_BENCH_WITH_SQLITE
    case StoreKind::sqlite: return &sqlite_admin();
#endif
    default: return nullptr;
  }
}

}  // namespace errand::bench
