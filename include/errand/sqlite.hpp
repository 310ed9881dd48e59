// The SQLite store: one file, no server. Several processes on one machine may share it.
#pragma once

#include <errand/store.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace errand {

struct SqliteOptions {
  std::string path = "errand.db";  ///< the database file; created with its tables when missing

  /// How long a writer waits for another one to finish before giving up.
  std::chrono::milliseconds busy_timeout{5'000};
  std::size_t pool_size = 8;  ///< connections (each used by one thread at a time)
  /// An idle fetch looks for other processes' writes this often (a `PRAGMA
  /// data_version`, which reads no table); writes from this process wake it at once.
  std::chrono::milliseconds poll_interval{2};

  /// Parses `sqlite://relative/path.db` or `sqlite:///absolute/path.db`. Throws errand::ConfigError.
  [[nodiscard]] static SqliteOptions from_url(std::string_view url);
};

[[nodiscard]] std::shared_ptr<Store> connect_sqlite(const SqliteOptions& options);

}  // namespace errand
