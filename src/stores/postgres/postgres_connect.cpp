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
    throw ConfigError(fmt::format("errand: PostgresOptions::visibility_timeout is {} s; it must be at least 1 s "
                                  "(pgmq's vt is whole seconds; service.worker.pg.visibility-timeout in the config)",
                                  options.visibility_timeout.count()));
  }
  if (options.pool_size < 1 || options.pool_size > 10'000) {
    throw ConfigError(fmt::format("errand: PostgresOptions::pool_size is {}; it must be from 1 to 10000 connections",
                                  options.pool_size));
  }
  if (options.poll_interval < std::chrono::milliseconds(10)) {
    throw ConfigError(fmt::format("errand: PostgresOptions::poll_interval is {} ms; it must be at least 10 ms (each "
                                  "look is a query; NOTIFY wakes an idle fetch for new jobs anyway)",
                                  options.poll_interval.count()));
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
  constexpr std::size_t max_length = 47;  // pgmq's: Postgres's 63-byte names less "archived_at_idx_"
  const bool ok = !name.empty() && name.size() <= max_length && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!ok) {
    const std::string length =
        name.size() > max_length ? fmt::format(" (it is {} characters long)", name.size()) : std::string();
    throw ArgumentError(fmt::format(
        "errand: \"{}\" cannot name a queue on Postgres{}: pgmq queue names are 1-{} characters of a-z, 0-9 and _ "
        "(the table is pgmq.q_<name>); rename the queue, e.g. \"{}\"",
        name, length, max_length, [&] {
          std::string s;
          for (const char c : name.substr(0, max_length)) {
            s += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
          }
          return s.empty() ? std::string("default") : s;
        }()));
  }
}

}  // namespace errand
