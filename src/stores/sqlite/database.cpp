#include "sqlite/database.hpp"

#include "sqlite/schema.hpp"

#include <errand/error.hpp>

#include <fmt/format.h>

namespace errand::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw StoreError(fmt::format("errand: sqlite {}: {} (database {})", what, sqlite3_errmsg(db),
                               sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "?"));
}

}  // namespace

Statement::Statement(Connection& connection, sqlite3_stmt* stmt)
    : connection_(&connection), db_(connection.handle()), stmt_(stmt) {}

void Statement::fail(std::string_view what) const {
  connection_->note_failure(sqlite3_extended_errcode(db_));
  sqlite::fail(db_, what);
}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    fail("bind");
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail("bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail("bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail("bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(fmt::format("statement \"{}\"", sqlite3_sql(stmt_)));
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));  // NOLINT: SQLite's API
  return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

Connection::Connection(const SqliteOptions& options) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(options.path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw ConnectionError(fmt::format("errand: cannot open sqlite database \"{}\": {} (is the directory there and "
                                      "writable?)",
                                      options.path, message));
  }
  if (sqlite3_db_readonly(db_, "main") == 1) {
    // SQLITE_OPEN_READWRITE falls back to read-only when the file is not writable; such
    // a connection could never fetch or beat, so it is not kept.
    sqlite3_close(db_);
    db_ = nullptr;
    throw ConnectionError(fmt::format("errand: sqlite database \"{}\" could only be opened read-only; errand needs "
                                      "to write it and the -wal and -shm files beside it: make the file and its "
                                      "directory writable by this process's user",
                                      options.path));
  }
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  try {
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  } catch (...) {
    sqlite3_close(db_);  // the destructor does not run for a constructor that throws
    throw;
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Statement Connection::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr); rc != SQLITE_OK) {
      note_failure(rc);
      fail(db_, fmt::format("prepare \"{}\"", sql));
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return {*this, it->second};
}

void Connection::note_failure(int code) noexcept {
  switch (code & 0xff) {  // the primary result code
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: healthy_ = false; break;
    default: break;
  }
}

bool Connection::file_moved() noexcept {
  int moved = 0;
  return sqlite3_file_control(db_, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0;
}

void Connection::exec(const char* sql) {
  char* error = nullptr;
  if (const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error); rc != SQLITE_OK) {
    note_failure(rc);
    const std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw StoreError(fmt::format("errand: sqlite: {} (running \"{}\")", message, sql));
  }
}

std::int64_t Connection::data_version() {
  Statement s = prepare("PRAGMA data_version");
  s.step();
  return s.integer(0);
}

Transaction::Transaction(Connection& c) : c_(c) { c_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): nothing more to undo
  }
}

void Transaction::commit() {
  c_.exec("COMMIT");
  done_ = true;
}

Pool::Pool(SqliteOptions options)
    : options_(std::move(options)),
      pool_({.name = "sqlite",
             .max_size = options_.pool_size,
             .open =
                 [this] {
                   // Every new connection makes sure of the tables: one that replaces a
                   // connection to a deleted file finds a new, empty file there.
                   auto c = std::make_unique<Connection>(options_);
                   c->exec(schema);
                   return c;
                 },
             .reusable = [](const Connection& c) { return c.healthy(); }}) {}

Pool::Lease Pool::acquire() {
  for (;;) {
    Lease lease = pool_.acquire();
    if (!lease.reused() || !lease->file_moved()) return lease;
    lease->discard();  // dropped as the lease ends; the next one is opened on the file there now
  }
}

}  // namespace errand::sqlite
