// Enqueueing inside the caller's own transaction, on their own libpq connection.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>

#include "postgres_fixture.hpp"

#include <libpq-fe.h>

#include <memory>
#include <thread>

namespace errand::postgres_transaction_test {
namespace {

struct ConnDeleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using AppConnection = std::unique_ptr<PGconn, ConnDeleter>;

AppConnection app_connection() {
  AppConnection c(PQconnectdb(test::postgres_url().c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c.get()));
  return c;
}

void run(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  const auto status = PQresultStatus(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(PQerrorMessage(c));
}

class PostgresTransactionTest : public test::PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    (void)query("CREATE TABLE IF NOT EXISTS public.users (id serial PRIMARY KEY, email text)");
    (void)query("TRUNCATE public.users");
  }
};

TEST_F(PostgresTransactionTest, ACommittedTransactionHasItsJob) {
  auto conn = app_connection();
  Client client{store};
  run(conn.get(), "BEGIN");
  run(conn.get(), "INSERT INTO public.users (email) VALUES ('a@example.com')");
  const auto jid = client.with_store(postgres_transaction(store, conn.get())).enqueue_raw("Welcome", "default", {1});
  ASSERT_TRUE(jid.has_value());
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0) << "invisible until the transaction commits";
  run(conn.get(), "COMMIT");
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 1);
  EXPECT_EQ(query("SELECT message->>'jid' FROM pgmq.q_default"), std::vector<std::string>{*jid});
}

// The caller's transaction already failed: the enqueue fails with the public
// errand::SqlError, whose SQLSTATE says why.
TEST_F(PostgresTransactionTest, AnEnqueueInAFailedTransactionIsASqlErrorWithItsSqlstate) {
  auto conn = app_connection();
  Client client{store};
  run(conn.get(), "BEGIN");
  EXPECT_THROW(run(conn.get(), "SELECT * FROM no_such_table"), std::runtime_error);
  try {
    (void)client.with_store(postgres_transaction(store, conn.get())).enqueue_raw("Welcome", "default", {1});
    FAIL() << "expected errand::SqlError";
  } catch (const SqlError& e) {
    EXPECT_EQ(e.sqlstate(), "25P02") << e.what();  // in_failed_sql_transaction
    EXPECT_FALSE(e.is_retryable());
  }
  run(conn.get(), "ROLLBACK");
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

TEST_F(PostgresTransactionTest, ARolledBackTransactionHasNoJob) {
  auto conn = app_connection();
  Client client{store};
  run(conn.get(), "BEGIN");
  run(conn.get(), "INSERT INTO public.users (email) VALUES ('b@example.com')");
  (void)client.with_store(postgres_transaction(store, conn.get())).enqueue_raw("Welcome", "default", {2});
  run(conn.get(), "ROLLBACK");
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_EQ(query("SELECT count(*) FROM public.users"), std::vector<std::string>{"0"});
  EXPECT_EQ(query("SELECT count(*) FROM pgmq.q_default"), std::vector<std::string>{"0"});
}

TEST_F(PostgresTransactionTest, ClientMiddlewareStillRuns) {
  auto conn = app_connection();
  Client client{store};
  client.use([](Job& job, const ClientNext& next) {
    job.set("tenant", "acme");
    next();
  });
  run(conn.get(), "BEGIN");
  (void)client.with_store(postgres_transaction(store, conn.get())).enqueue_raw("Welcome", "default", {3});
  run(conn.get(), "COMMIT");
  EXPECT_EQ(query("SELECT message->>'tenant' FROM pgmq.q_default"), std::vector<std::string>{"acme"});
}

TEST_F(PostgresTransactionTest, ACommitWakesAnIdleFetchAtOnce) {
  auto conn = app_connection();
  Client client{store};
  (void)test::admin(*store).queue_size({"default"});
  std::vector<FetchedJob> fetched;
  std::thread fetcher([&] {
    JobFetchParams params;
    params.queues = {"default"};
    params.wait = std::chrono::milliseconds(2000);  // poll interval is 5 s: only a NOTIFY is this quick
    params.owner = "tester:1:000000000000";
    fetched = store->job_fetch(params);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run(conn.get(), "BEGIN");
  (void)client.with_store(postgres_transaction(store, conn.get())).enqueue_raw("Welcome", "default", {4});
  const auto committed = std::chrono::steady_clock::now();
  run(conn.get(), "COMMIT");
  fetcher.join();
  // One fetch call, waiting since before the commit, with a 5 s poll interval: only the
  // NOTIFY delivered at COMMIT can have woken it with the job.
  ASSERT_EQ(fetched.size(), 1U) << (std::chrono::steady_clock::now() - committed).count() << " ns after the commit";
}

TEST_F(PostgresTransactionTest, OnlyAPostgresStoreHasTransactions) {
  auto conn = app_connection();
  EXPECT_THROW((void)postgres_transaction(make_memory_store(), conn.get()), ArgumentError);
  EXPECT_THROW((void)postgres_transaction(store, nullptr), ArgumentError);
}

TEST_F(PostgresTransactionTest, ABadPayloadFailsTheEnqueueNotTheTransaction) {
  auto conn = app_connection();
  run(conn.get(), "BEGIN");
  auto view = postgres_transaction(store, conn.get());
  EXPECT_THROW(view->job_insert_many({{{"j", "default", "{not json", std::nullopt}}}), PayloadError);
  run(conn.get(), "ROLLBACK");
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
}

}  // namespace
}  // namespace errand::postgres_transaction_test
