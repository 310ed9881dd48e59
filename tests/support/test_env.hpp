// Helpers shared by errand's tests: the test Redis, and waiting for something to happen.
#pragma once

#include <errand/redis.hpp>

#include "redis/connection.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace errand::test {

/// The Redis the tests use (ERRAND_TEST_REDIS_URL, set by CTest). Fails the test
/// program loudly when unset: a Redis test must never pass without Redis.
std::string redis_url();
RedisOptions redis_options();

/// A raw connection to the test database, for setting up and inspecting keys.
std::unique_ptr<redis::Connection> raw_redis();

/// Empties the test database.
void flush_redis();

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The project's source directory (for scripts).
std::string source_dir();

}  // namespace errand::test
