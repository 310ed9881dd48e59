// A processor that the system refuses threads: start() says what happened and what to
// do, joins the threads it did start, loses no job, and the process goes on.
//
// The refusal is made real, not simulated: the test takes nearly all of the memory maps
// Linux allows a process (vm.max_map_count), so that pthread_create cannot map the
// stacks. Only in builds without sanitizers (see tests/CMakeLists.txt): ASan and TSan
// map their own memory for every new thread and abort the process when they cannot.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>

#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>

namespace errand::thread_limit_test {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::size_t read_number(const char* path) {
  std::ifstream in(path);
  std::size_t n = 0;
  in >> n;
  return n;
}

std::size_t maps_in_use() {
  std::ifstream in("/proc/self/maps");
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

/// Takes all but `spare` of the process's memory maps while it lives: one reservation
/// whose every other page is made readable, so that each page is a map of its own.
class MapsTaken {
 public:
  explicit MapsTaken(std::size_t spare) {
    const std::size_t limit = read_number("/proc/sys/vm/max_map_count");
    const std::size_t in_use = maps_in_use();
    if (limit < in_use + spare + 2) throw std::runtime_error("vm.max_map_count is too small for this test");
    const std::size_t maps = limit - in_use - spare;
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    size_ = maps * page_;
    base_ = static_cast<char*>(mmap(nullptr, size_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (base_ == MAP_FAILED) throw std::runtime_error("mmap of the reservation failed");
    for (std::size_t i = 1; i < maps; i += 2) {
      if (mprotect(base_ + i * page_, page_, PROT_READ) != 0) throw std::runtime_error("mprotect failed");
    }
  }
  MapsTaken(const MapsTaken&) = delete;
  MapsTaken& operator=(const MapsTaken&) = delete;
  ~MapsTaken() { munmap(base_, size_); }

 private:
  std::size_t page_ = 0;
  std::size_t size_ = 0;
  char* base_ = nullptr;
};

ProcessorOptions options(int concurrency) {
  ProcessorOptions o;
  o.concurrency = concurrency;
  o.logger = null_logger();
  o.heartbeat_interval = 50ms;
  o.shutdown_timeout = 5s;
  return o;
}

TEST(ThreadLimit, AProcessorRefusedThreadsSaysWhatToDoAndLosesNoJob) {
  const std::shared_ptr<Store> store = make_memory_store();
  (void)Client{store}.enqueue_raw("Count", "default", {});
  std::string refusal = "start() did not throw";
  {
    // 300 maps spare: room for some of the 2,000 threads' stacks (two maps each), not all.
    const MapsTaken taken(300);
    Processor starved(store, options(2'000));
    starved.register_handler("Count", [](const Job&, Context&) {});
    try {
      starved.start();
    } catch (const ConfigError& e) {
      refusal = e.what();
    }
    starved.stop();  // nothing left to stop: the failed start joined its threads
  }
  EXPECT_THAT(refusal, AllOf(HasSubstr("could not start the processor's threads"),
                             HasSubstr("2000 worker threads were asked for"), HasSubstr("lower the concurrency"),
                             HasSubstr("vm.max_map_count")));
  EXPECT_EQ(test::admin(*store).queue_size({.queue = "default"}), 1) << "the job is still queued";

  // With its maps back, the process starts a processor that runs the job.
  std::atomic<int> ran{0};
  Processor processor(store, options(2));
  processor.register_handler("Count", [&](const Job&, Context&) { ++ran; });
  processor.start();
  EXPECT_TRUE(test::eventually([&] { return ran.load() == 1; }));
  processor.stop();
}

}  // namespace
}  // namespace errand::thread_limit_test
