#include "test_env.hpp"

#include <cstdio>
#include <cstdlib>

namespace errand::test {

std::string redis_url() {
  const char* url = std::getenv("ERRAND_TEST_REDIS_URL");
  if (url == nullptr || *url == '\0') {
    std::fprintf(stderr, "errand tests: ERRAND_TEST_REDIS_URL is not set; run the tests through ctest, which "
                         "starts redis-server (see scripts/test.sh)\n");
    std::abort();
  }
  return url;
}

RedisOptions redis_options() { return RedisOptions::from_url(redis_url()); }

std::unique_ptr<redis::Connection> raw_redis() { return std::make_unique<redis::Connection>(redis_options()); }

void flush_redis() { raw_redis()->run({"FLUSHDB"}); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

std::string source_dir() { return ERRAND_SOURCE_DIR; }

}  // namespace errand::test
