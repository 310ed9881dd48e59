#include "postgres/pq.hpp"

#include "kit/url_secrets.hpp"

#include <fmt/format.h>

#include <charconv>

namespace errand::pq {
namespace {

std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// The first line of a statement, for error messages.
std::string_view summary(std::string_view sql) {
  const auto end = sql.find('\n');
  sql = sql.substr(0, std::min<std::size_t>(end, 120));
  return sql;
}

void append_quoted_element(std::string& out, std::string_view item) {
  out += '"';
  for (const char c : item) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    append_quoted_element(out, items[i]);
  }
  out += '}';
  return out;
}

std::string array_literal(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(items[i]);
  }
  out += '}';
  return out;
}

std::int64_t Result::integer(int row, int column) const {
  const std::string_view t = text(row, column);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (error != std::errc{} || end != t.data() + t.size()) {
    throw StoreError(fmt::format("errand: postgres returned \"{}\" where an integer was expected", t));
  }
  return value;
}

double Result::real(int row, int column) const {
  const std::string value(text(row, column));
  try {
    return std::stod(value);
  } catch (const std::exception&) {
    throw StoreError(fmt::format("errand: postgres returned \"{}\" where a number was expected", value));
  }
}

std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::atoll(n);
}

Connection::Connection(const std::string& conninfo) {
  // Our defaults first: what the URL says overrides them (libpq processes in order).
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "errand", conninfo.c_str(), nullptr};
  conn_ = std::unique_ptr<PGconn, FinishConnection>(PQconnectdbParams(keywords, values, 1), FinishConnection{true});
  if (!conn_) throw ConnectionError("errand: out of memory opening a postgres connection");
  // Server notices ("relation ... already exists, skipping") are not errors: keep them
  // off the application's stderr.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    // libpq's message may quote the URL, or the piece of it it could not parse.
    throw ConnectionError(fmt::format("errand: cannot connect to postgres at {}: {}; check the URL "
                                      "(postgres://user@host:port/db) and that the server is running",
                                      detail::masked_url(conninfo),
                                      detail::without_secrets(trimmed(PQerrorMessage(conn_.get())), conninfo)));
  }
}

Connection Connection::borrow(PGconn* conn) {
  if (conn == nullptr) throw ArgumentError("errand: a null PGconn* was given for a transactional enqueue");
  Connection c;
  c.conn_ = std::unique_ptr<PGconn, FinishConnection>(conn, FinishConnection{false});
  return c;
}

Result Connection::check(PGresult* raw, std::string_view sql) {
  Result r(raw);
  if (raw == nullptr) {
    throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(conn_.get()))));
  }
  const ExecStatusType status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(conn_.get()))));
  }
  const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  throw SqlError(fmt::format("errand: postgres error in \"{}\": {}", summary(sql), trimmed(PQresultErrorMessage(raw))),
                 state != nullptr ? state : "");
}

Result Connection::exec(std::string_view sql, const Params& params) {
  const std::string text(sql);
  const auto values = params.pointers();
  return check(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, 0),
               sql);
}

void Connection::exec_script(const std::string& sql) { check(PQexec(conn_.get(), sql.c_str()), sql); }

void Connection::exec_pipelined(const std::vector<std::pair<std::string, Params>>& statements) {
  if (statements.empty()) return;
  PGconn* c = conn_.get();
  if (PQenterPipelineMode(c) != 1) {
    throw ConnectionError(fmt::format("errand: postgres pipeline mode failed: {}", trimmed(PQerrorMessage(c))));
  }
  // Leave pipeline mode on every path, so the connection stays usable.
  struct Exit {
    PGconn* c;
    ~Exit() { PQexitPipelineMode(c); }
  } exit{c};
  for (const auto& [sql, params] : statements) {
    const auto values = params.pointers();
    if (PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0) != 1) {
      throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(c))));
    }
  }
  if (PQpipelineSync(c) != 1) {
    throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(c))));
  }
  std::optional<SqlError> first_error;
  std::size_t done = 0;
  while (true) {
    PGresult* raw = PQgetResult(c);
    if (raw == nullptr) {  // the end of one statement's results
      if (PQstatus(c) != CONNECTION_OK) {
        throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(c))));
      }
      continue;
    }
    Result r(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_PIPELINE_SYNC) break;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_PIPELINE_ABORTED) {
      ++done;
      continue;
    }
    ++done;
    if (!first_error) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      first_error.emplace(fmt::format("errand: postgres error in \"{}\": {}", summary(statements[done - 1].first),
                                      trimmed(PQresultErrorMessage(raw))),
                          state != nullptr ? state : "");
    }
  }
  if (first_error) throw *first_error;
}

std::vector<std::string> Connection::take_notifications() {
  if (PQconsumeInput(conn_.get()) != 1) {
    throw ConnectionError(fmt::format("errand: postgres connection lost: {}", trimmed(PQerrorMessage(conn_.get()))));
  }
  std::vector<std::string> channels;
  while (PGnotify* n = PQnotifies(conn_.get())) {
    channels.emplace_back(n->relname);
    PQfreemem(n);
  }
  return channels;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace errand::pq
