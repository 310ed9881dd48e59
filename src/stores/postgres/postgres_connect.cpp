// Opening a Postgres store; queue-name rules; enqueues inside a caller's transaction.
#include <errand/error.hpp>
#include <errand/postgres.hpp>

#include "kit/forwarding_store.hpp"
#include "kit/url_secrets.hpp"
#include "postgres/postgres_store.hpp"

#include <fmt/format.h>

namespace errand {
namespace {

/// The Postgres store, with enqueues on a connection of the caller's.
class TransactionStore final : public detail::ForwardingStore {
 public:
  TransactionStore(std::shared_ptr<pq::PostgresStore> store, PGconn* conn)
      : ForwardingStore(store), store_(std::move(store)), conn_(pq::Connection::borrow(conn)) {}

  void job_insert_many(const JobInsertManyParams& params) override { store_->job_insert_many_on(conn_, params); }

 private:
  std::shared_ptr<pq::PostgresStore> store_;
  pq::Connection conn_;
};

}  // namespace

PostgresOptions PostgresOptions::from_url(std::string_view url) {
  if (!url.starts_with("postgres://") && !url.starts_with("postgresql://")) {
    throw ConfigError(fmt::format("errand: a Postgres URL starts with postgres:// or postgresql://, got \"{}\"",
                                  detail::masked_url(url)));
  }
  PostgresOptions options;
  options.url = std::string(url);
  return options;
}

std::shared_ptr<Store> connect_postgres(const PostgresOptions& options) {
  if (options.visibility_timeout < std::chrono::seconds(1)) {
    throw ConfigError("errand: PostgresOptions::visibility_timeout must be at least 1 s (pgmq's vt is whole seconds)");
  }
  return std::make_shared<pq::PostgresStore>(options);
}

std::shared_ptr<Store> postgres_transaction(const std::shared_ptr<Store>& store, PGconn* conn) {
  auto postgres = std::dynamic_pointer_cast<pq::PostgresStore>(store);
  if (!postgres) {
    throw ArgumentError(fmt::format("errand: postgres_transaction needs a Postgres store, not \"{}\"",
                                    store ? store->name() : "null"));
  }
  return std::make_shared<TransactionStore>(std::move(postgres), conn);
}

void validate_pgmq_queue_name(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 47 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!ok) {
    throw ArgumentError(fmt::format(
        "errand: \"{}\" cannot name a queue on Postgres: pgmq queue names are 1-47 characters of a-z, 0-9 and _ "
        "(the table is pgmq.q_<name>); rename the queue, e.g. \"{}\"",
        name, [&] {
          std::string s;
          for (const char c : name.substr(0, 47)) {
            s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
          }
          return s.empty() ? std::string("default") : s;
        }()));
  }
}

}  // namespace errand
