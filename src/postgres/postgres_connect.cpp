// Opening a Postgres store; queue-name rules; enqueues inside a caller's transaction.
#include <errand/error.hpp>
#include <errand/postgres.hpp>

#include "postgres/postgres_store.hpp"

#include <fmt/format.h>

namespace errand {
namespace {

/// The Postgres store, with enqueues on a connection of the caller's.
class TransactionStore final : public Store {
 public:
  TransactionStore(std::shared_ptr<pq::PostgresStore> store, PGconn* conn)
      : store_(std::move(store)), conn_(pq::Connection::borrow(conn)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return store_->name(); }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override { return store_->capabilities(); }
  void check_queue_name(std::string_view queue) const override { store_->check_queue_name(queue); }

  void job_insert_many(const JobInsertManyParams& params) override { store_->job_insert_many_on(conn_, params); }
  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override { return store_->job_fetch(params); }
  void job_complete(const JobCompleteParams& params) override { store_->job_complete(params); }
  void job_requeue(const JobRequeueParams& params) override { store_->job_requeue(params); }
  void job_retry(const JobRetryParams& params) override { store_->job_retry(params); }
  void job_kill(const JobKillParams& params) override { store_->job_kill(params); }
  std::size_t job_schedule_due(const JobScheduleDueParams& params) override { return store_->job_schedule_due(params); }
  std::size_t job_rescue_orphans(const JobRescueParams& params) override { return store_->job_rescue_orphans(params); }
  std::vector<std::string> job_in_progress(std::string_view owner) override { return store_->job_in_progress(owner); }
  std::size_t job_reclaim(const JobReclaimParams& params) override { return store_->job_reclaim(params); }
  ProcessBeatResult process_beat(const ProcessBeatParams& params) override { return store_->process_beat(params); }
  void process_stop(std::string_view identity, SidekiqVersion version) override { store_->process_stop(identity, version); }
  std::int64_t process_count() override { return store_->process_count(); }
  StoreStats stats() override { return store_->stats(); }
  std::int64_t queue_size(std::string_view queue) override { return store_->queue_size(queue); }
  std::vector<std::string> queue_names() override { return store_->queue_names(); }
  std::vector<SetEntry> set_entries(JobSet set, std::size_t limit) override { return store_->set_entries(set, limit); }
  std::int64_t set_size(JobSet set) override { return store_->set_size(set); }
  std::size_t set_enqueue_now(JobSet set, const SetSelection& which) override {
    return store_->set_enqueue_now(set, which);
  }
  std::size_t set_delete(JobSet set, const SetSelection& which) override { return store_->set_delete(set, which); }
  std::size_t queue_clear(std::string_view queue) override { return store_->queue_clear(queue); }

 private:
  std::shared_ptr<pq::PostgresStore> store_;
  pq::Connection conn_;
};

}  // namespace

PostgresOptions PostgresOptions::from_url(std::string_view url) {
  if (!url.starts_with("postgres://") && !url.starts_with("postgresql://")) {
    throw ConfigError(fmt::format("errand: a Postgres URL starts with postgres:// or postgresql://, got \"{}\"", url));
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
