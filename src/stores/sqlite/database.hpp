// A small RAII layer over SQLite's C API: connections, prepared statements, transactions,
// and a pool of connections. Errors become errand::StoreError with SQLite's message.
#pragma once

#include <errand/sqlite.hpp>

#include "kit/connection_pool.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace errand::sqlite {

class Connection;

class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept
      : connection_(other.connection_), db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  /// Resets the (cached) statement for its next use.
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);

  /// Advances: true while there is a row. Throws errand::StoreError.
  bool step();
  /// Runs to completion (for statements without rows).
  void run();

  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] double real(int column) const;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] bool is_null(int column) const;

 private:
  [[noreturn]] void fail(std::string_view what) const;

  Connection* connection_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  explicit Connection(const SqliteOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// A prepared statement for `sql`, compiled once per connection. `sql` must be a
  /// string literal (it is cached by address).
  Statement prepare(const char* sql);
  /// Runs one or more statements without results.
  void exec(const char* sql);
  /// The value of `PRAGMA data_version`: it changes when another connection commits.
  std::int64_t data_version();

  [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

  /// False once SQLite said this connection cannot write its file (read-only, an I/O
  /// error, the file gone): the pool then drops it, and a new one is opened when the
  /// file is writable again.
  [[nodiscard]] bool healthy() const noexcept { return healthy_; }
  /// Records the result code of a failed call; codes that mean "cannot write this
  /// file" make the connection unhealthy.
  void note_failure(int code) noexcept;
  /// Whether the file this connection has open is no longer the one at its path
  /// (deleted, or replaced by another file). SQLite does not say so in WAL mode: writes
  /// would go on into the old file, where no other connection sees them.
  [[nodiscard]] bool file_moved() noexcept;
  /// Marks the connection unhealthy: the pool drops it when it comes back.
  void discard() noexcept { healthy_ = false; }

 private:
  sqlite3* db_ = nullptr;
  bool healthy_ = true;
  std::map<const char*, sqlite3_stmt*> statements_;
};

/// BEGIN IMMEDIATE (the write lock now, so the busy timeout applies); COMMIT on
/// commit(), ROLLBACK when destroyed otherwise.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool done_ = false;
};

/// The store's connections (each used by one thread at a time).
class Pool {
 public:
  using Lease = detail::ConnectionPool<Connection>::Lease;

  explicit Pool(SqliteOptions options);
  /// A connection to the file at the path: an idle one whose file was deleted or
  /// replaced since it was opened is dropped, and another one taken (or opened).
  Lease acquire();
  [[nodiscard]] const SqliteOptions& options() const noexcept { return options_; }

 private:
  SqliteOptions options_;
  detail::ConnectionPool<Connection> pool_;
};

}  // namespace errand::sqlite
