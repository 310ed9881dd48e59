#include "test_env.hpp"

#include "postgres/pq.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace errand::test {

namespace {

/// The test group's database number (ERRAND_TEST_DB, set by CTest per test program).
/// Fails the test program loudly when unset: a server test must never pass without
/// its server.
int test_db() {
  const char* db = std::getenv("ERRAND_TEST_DB");
  if (db == nullptr || *db == '\0') {
    std::fprintf(stderr, "errand tests: ERRAND_TEST_DB is not set; run the tests through ctest, which starts "
                         "redis-server and PostgreSQL (see scripts/test.sh)\n");
    std::abort();
  }
  return std::atoi(db);
}

/// The port of a server CTest started: its fixture chose a free one and wrote it to
/// `state_dir`/port (scripts/redis-server.sh, scripts/postgres-server.sh). Fails the
/// test program loudly when the file is missing: the server is not running.
std::string server_port(const std::string& state_dir, const char* script) {
  const std::string path = state_dir + "/port";
  std::ifstream file(path);
  int port = 0;
  if (!(file >> port) || port <= 0 || port > 65535) {
    std::fprintf(stderr, "errand tests: %s holds no port: its server is not running; run the tests through ctest, "
                         "or start it: scripts/%s start auto %s\n", path.c_str(), script, state_dir.c_str());
    std::abort();
  }
  return std::to_string(port);
}

}  // namespace

std::string redis_url() {
  return "redis://127.0.0.1:" + server_port(ERRAND_TEST_REDIS_DIR, "redis-server.sh") + "/" +
         std::to_string(test_db());
}

RedisOptions redis_options() { return RedisOptions::from_url(redis_url()); }

std::unique_ptr<redis::Connection> raw_redis() { return std::make_unique<redis::Connection>(redis_options()); }

void flush_redis() { raw_redis()->run({"FLUSHDB"}); }

std::string postgres_url() {
  return "postgresql://errand@127.0.0.1:" + server_port(ERRAND_TEST_POSTGRES_DIR, "postgres-server.sh") +
         "/errand_test_" + std::to_string(test_db());
}

void reset_postgres() { (void)postgres_query("DROP SCHEMA IF EXISTS pgmq, errand CASCADE"); }

std::vector<std::string> postgres_query(const std::string& sql) {
  pq::Connection c(postgres_url());
  c.exec("SET client_min_messages = warning");
  const pq::Result r = c.exec(sql);
  std::vector<std::string> rows;
  for (int i = 0; i < r.rows(); ++i) rows.emplace_back(r.is_null(i, 0) ? "NULL" : std::string(r.text(i, 0)));
  return rows;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

StoreAdmin& admin(Store& store) {
  if (StoreAdmin* admin = store.admin()) return *admin;
  throw std::logic_error("the " + std::string(store.name()) + " store has no admin operations (Store::admin())");
}

HeldJobs& held_jobs(Store& store) {
  if (HeldJobs* held = store.held_jobs()) return *held;
  throw std::logic_error("the " + std::string(store.name()) + " store lists no held jobs (Store::held_jobs())");
}

std::string source_dir() { return ERRAND_SOURCE_DIR; }

}  // namespace errand::test
