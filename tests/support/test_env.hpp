// Helpers shared by errand's tests: the test Redis, and waiting for something to happen.
#pragma once

#include <errand/redis.hpp>
#include <errand/store.hpp>

#include "redis/connection.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace errand::test {

/// The Redis the tests use: database ERRAND_TEST_DB (set by CTest) of the redis-server
/// CTest starts, on the port its fixture chose. Fails the test program loudly when
/// ERRAND_TEST_DB is unset or the server is not running.
std::string redis_url();
RedisOptions redis_options();

/// A raw connection to the test database, for setting up and inspecting keys.
std::unique_ptr<redis::Connection> raw_redis();

/// Empties the test database.
void flush_redis();

/// The Postgres database the tests use: errand_test_<ERRAND_TEST_DB>; fails loudly
/// as redis_url().
std::string postgres_url();
/// Drops errand's and pgmq's schemas in the test database: a fresh start.
void reset_postgres();
/// Runs SQL on the test database (one statement; returns the first column of each row).
std::vector<std::string> postgres_query(const std::string& sql);

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The store's admin operations (Store::admin()); throws std::logic_error, failing the
/// test, for a store without them.
StoreAdmin& admin(Store& store);
/// The store's held-jobs operations (Store::held_jobs()); throws std::logic_error,
/// failing the test, for a store without them.
HeldJobs& held_jobs(Store& store);

/// The most threads a test may ask one process to run: the processor's maximum, 10,000,
/// except under ThreadSanitizer, which maps about ten memory regions per thread (measured
/// with TSan 12: 1,000 threads, 10,336 maps), so runs out of Linux's default
/// vm.max_map_count (65,530) near 6,000 threads, and whose thread starts slow down as
/// threads add up (a CLI run at 2,000 missed its 60 s deadline under `stress -c 2`). TSan
/// builds run the same tests at 500; the release and ASan builds prove the full 10,000.
#if defined(__SANITIZE_THREAD__)
inline constexpr int most_threads_per_process = 500;
#else
inline constexpr int most_threads_per_process = 10'000;
#endif

/// The project's source directory (for scripts).
std::string source_dir();

}  // namespace errand::test
