// A small RAII layer over libpq: connections, results, parameters, errors. Only this
// directory sees libpq.
#pragma once

#include <errand/error.hpp>

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace errand::pq {

/// A statement's text parameters ($1, $2, ...); std::nullopt is SQL NULL.
class Params {
 public:
  Params& add(std::string value) {
    values_.emplace_back(std::move(value));
    return *this;
  }
  Params& add(std::string_view value) { return add(std::string(value)); }
  Params& add(const char* value) { return add(std::string(value)); }
  Params& add(std::int64_t value) { return add(std::to_string(value)); }
  Params& add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  /// Pointers into this object, valid while it lives and is not changed.
  [[nodiscard]] std::vector<const char*> pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

/// Builds a Postgres array literal ({"a","b"}) for a text[] or bigint[] parameter.
[[nodiscard]] std::string array_literal(const std::vector<std::string>& items);
[[nodiscard]] std::string array_literal(const std::vector<std::int64_t>& items);

class Result {
 public:
  explicit Result(PGresult* r) noexcept : r_(r) {}
  [[nodiscard]] int rows() const noexcept { return PQntuples(r_.get()); }
  [[nodiscard]] bool is_null(int row, int column) const noexcept { return PQgetisnull(r_.get(), row, column) != 0; }
  [[nodiscard]] std::string_view text(int row, int column) const noexcept {
    return {PQgetvalue(r_.get(), row, column), static_cast<std::size_t>(PQgetlength(r_.get(), row, column))};
  }
  [[nodiscard]] std::int64_t integer(int row, int column) const;
  [[nodiscard]] double real(int row, int column) const;
  /// The number of rows an INSERT/UPDATE/DELETE touched.
  [[nodiscard]] std::int64_t affected() const;

 private:
  struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

using errand::SqlError;  // a server-reported error, with its SQLSTATE

/// Closes a connection errand opened; leaves a borrowed one alone.
struct FinishConnection {
  bool owned = true;
  void operator()(PGconn* c) const noexcept {
    if (owned) PQfinish(c);
  }
};

class Connection {
 public:
  /// Connects with a libpq connection string or postgres:// URL. Throws ConnectionError.
  explicit Connection(const std::string& conninfo);
  /// Wraps a connection owned by someone else (not closed here).
  static Connection borrow(PGconn* conn);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  /// Runs one statement; throws SqlError on a server error, ConnectionError when the
  /// connection is lost.
  Result exec(std::string_view sql, const Params& params = {});
  /// Runs statements without parameters (may be several, separated by ';').
  void exec_script(const std::string& sql);
  /// Runs many parameterised statements in one round trip (libpq pipeline mode), each
  /// in its own implicit transaction unless a transaction is open. Throws on the first error.
  void exec_pipelined(const std::vector<std::pair<std::string, Params>>& statements);

  /// Reads notifications that arrived; returns their channels.
  std::vector<std::string> take_notifications();
  [[nodiscard]] int socket() const noexcept { return PQsocket(conn_.get()); }
  /// False once the connection is broken; the pool then drops it.
  [[nodiscard]] bool healthy() const noexcept { return PQstatus(conn_.get()) == CONNECTION_OK; }
  [[nodiscard]] bool in_transaction() const noexcept { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }
  [[nodiscard]] PGconn* handle() const noexcept { return conn_.get(); }

 private:
  Connection() = default;
  Result check(PGresult* r, std::string_view sql);
  std::unique_ptr<PGconn, FinishConnection> conn_;
};

/// Quotes an identifier for SQL ("name", doubled quotes inside).
[[nodiscard]] std::string quote_identifier(std::string_view name);

}  // namespace errand::pq
