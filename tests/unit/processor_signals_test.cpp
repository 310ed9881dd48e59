// errand::run_until_signal over two processors on two stores (memory and SQLite, or two
// SQLite files): TSTP quiets both, TERM stops both at once and each drains its running
// jobs, and a second TERM pushes the running jobs of both back and exits with status 1.
#include <errand/client.hpp>
#include <errand/error.hpp>
#include <errand/memory.hpp>
#include <errand/processor.hpp>
#include <errand/sqlite.hpp>

#include "capturing_logger.hpp"
#include "kit/forwarding_store.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <thread>
#include <unistd.h>

namespace errand::processor_signals_test {
namespace {

/// "Blocking" jobs run until the gate opens (then they finish) or, unless they ignore
/// it, their stop token fires.
struct Gate {
  std::atomic<bool> open{false};
  std::atomic<int> finished{0};
};

enum class StopToken { heeded, ignored };

class ProcessorSignalsTest : public ::testing::Test {
 protected:
  std::shared_ptr<test::CapturingLogger> logger = std::make_shared<test::CapturingLogger>(LogLevel::info);
  Gate gate;

  ProcessorOptions options(std::chrono::milliseconds shutdown_timeout) const {
    return {.concurrency = 2, .shutdown_timeout = shutdown_timeout, .logger = logger};
  }

  /// A processor on `store` that runs Blocking jobs, with one of them enqueued.
  std::unique_ptr<Processor> blocking_processor(std::shared_ptr<Store> store, std::chrono::milliseconds timeout,
                                                StopToken token = StopToken::heeded) {
    (void)Client(store).enqueue_raw("Blocking", "default", json::array{});
    auto processor = std::make_unique<Processor>(std::move(store), options(timeout));
    processor->register_handler("Blocking", [this, token](const Job&, Context& ctx) {
      while (!gate.open && (token == StopToken::ignored || !ctx.stop_requested())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (gate.open) ++gate.finished;
    });
    return processor;
  }

  /// Waits until `text` has been logged `n` times.
  bool logged(std::string_view text, std::size_t n) const {
    return test::eventually([&] { return logger->count(text) >= n; }, std::chrono::seconds(20));
  }

  static bool both_busy(const Processor& a, const Processor& b) {
    return test::eventually([&] { return a.stats().busy == 1 && b.stats().busy == 1; }, std::chrono::seconds(20));
  }
};

TEST_F(ProcessorSignalsTest, TstpQuietsBothAndTermStopsBothWhileTheyDrain) {
  const test::TempDir dir;
  auto memory = make_memory_store();
  auto sqlite = connect_sqlite({.path = dir.file("jobs.db")});
  auto a = blocking_processor(memory, std::chrono::seconds(20));
  auto b = blocking_processor(sqlite, std::chrono::seconds(20));
  std::thread runner([&] { run_until_signal({a.get(), b.get()}); });
  ASSERT_TRUE(both_busy(*a, *b)) << logger->joined();

  ASSERT_EQ(kill(getpid(), SIGTSTP), 0);
  EXPECT_TRUE(logged("errand: quiet:", 2)) << logger->joined();
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  // Both stop at once: each waits for its running job, which only the gate ends.
  EXPECT_TRUE(logged("errand: stopping: waiting up to 20000 ms for 1 running job(s)", 2)) << logger->joined();
  EXPECT_EQ(gate.finished.load(), 0);
  gate.open = true;
  runner.join();

  EXPECT_EQ(gate.finished.load(), 2) << "both drained their running job";
  EXPECT_EQ(logger->count("errand: stopped: 1 processed, 0 failed"), 2U) << logger->joined();
  EXPECT_TRUE(logger->contains("received TERM; stopping 2 processors")) << logger->joined();
  EXPECT_EQ(test::admin(*memory).queue_size({"default"}), 0);
  EXPECT_EQ(test::admin(*sqlite).queue_size({"default"}), 0);
}

TEST_F(ProcessorSignalsTest, JobsRunningAtTheShutdownTimeoutGoBackToTheirOwnStores) {
  const test::TempDir dir;
  auto memory = make_memory_store();
  auto sqlite = connect_sqlite({.path = dir.file("jobs.db")});
  auto a = blocking_processor(memory, std::chrono::milliseconds(100));
  auto b = blocking_processor(sqlite, std::chrono::milliseconds(100));
  std::thread runner([&] { run_until_signal({a.get(), b.get()}); });
  ASSERT_TRUE(both_busy(*a, *b)) << logger->joined();
  ASSERT_EQ(kill(getpid(), SIGTERM), 0);
  runner.join();
  EXPECT_EQ(logger->count("(still running at the shutdown timeout)"), 2U) << logger->joined();
  EXPECT_EQ(test::admin(*memory).queue_size({"default"}), 1);
  EXPECT_EQ(test::admin(*sqlite).queue_size({"default"}), 1);
}

TEST_F(ProcessorSignalsTest, StoppingOneProcessorStopsTheGroup) {
  auto a = blocking_processor(make_memory_store(), std::chrono::seconds(5));
  auto b = blocking_processor(make_memory_store(), std::chrono::seconds(5));
  gate.open = true;  // jobs finish at once
  std::thread runner([&] { run_until_signal({a.get(), b.get()}); });
  ASSERT_TRUE(test::eventually([&] { return a->stats().processed == 1 && b->stats().processed == 1; }));
  a->stop();  // as a dashboard's "stop" or a job would
  runner.join();
  EXPECT_EQ(logger->count("errand: stopped:"), 2U) << logger->joined();
}

/// A store that refuses every queue name, so that a processor on it cannot start.
class RefusingStore final : public detail::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  void check_queue_name(std::string_view queue) const override {
    throw ArgumentError("refused queue " + std::string(queue));
  }
};

TEST_F(ProcessorSignalsTest, WhenOneCannotStartTheOnesStartedBeforeItStop) {
  auto a = blocking_processor(make_memory_store(), std::chrono::seconds(5));
  auto b = blocking_processor(std::make_shared<RefusingStore>(make_memory_store()), std::chrono::seconds(5));
  gate.open = true;
  EXPECT_THROW(run_until_signal({a.get(), b.get()}), ArgumentError);
  EXPECT_EQ(logger->count("errand: stopped:"), 1U) << "the first one started, then stopped: " << logger->joined();
  EXPECT_EQ(a->stats().busy, 0U);
}

TEST_F(ProcessorSignalsTest, AGroupMustNameEachProcessorOnce) {
  auto a = blocking_processor(make_memory_store(), std::chrono::seconds(1));
  const auto message = [](std::span<Processor* const> group) {
    try {
      run_until_signal(group);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(message({}), ::testing::HasSubstr("got no processor"));
  const std::vector<Processor*> with_null{a.get(), nullptr};
  EXPECT_THAT(message(with_null), ::testing::HasSubstr("null Processor*"));
  const std::vector<Processor*> twice{a.get(), a.get()};
  EXPECT_THAT(message(twice), ::testing::HasSubstr("twice; pass each processor once"));
}

struct ProcessorSetup {
  std::chrono::milliseconds shutdown_timeout;
  StopToken token = StopToken::heeded;
};

class ProcessorSignalsExitTest : public ProcessorSignalsTest {
 protected:
  /// Two processors on two SQLite files, each running one Blocking job, in a child
  /// process (the exit needs a process of its own): TERM, then TERM again once
  /// `before_second` is logged. Expects exit status 1 and both jobs back in their queues.
  /// The death test's child runs the test again from the top: it finds the directory
  /// its parent chose through the environment.
  void expect_second_term_exits_1_with_both_jobs_back(ProcessorSetup first, ProcessorSetup second,
                                                      std::string_view before_second) {
    constexpr const char* dir_variable = "ERRAND_PROCESSOR_SIGNALS_TEST_DIR";
    std::optional<test::TempDir> own_dir;
    const char* inherited = std::getenv(dir_variable);
    const std::string dir = inherited != nullptr ? std::string(inherited) : own_dir.emplace().path();
    ::setenv(dir_variable, dir.c_str(), 1);
    const std::string first_path = dir + "/first.db";
    const std::string second_path = dir + "/second.db";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
          auto a = blocking_processor(connect_sqlite({.path = first_path}), first.shutdown_timeout, first.token);
          auto b = blocking_processor(connect_sqlite({.path = second_path}), second.shutdown_timeout, second.token);
          std::jthread signaller([&] {
            if (!both_busy(*a, *b)) std::_Exit(3);
            ::kill(getpid(), SIGTERM);
            if (!logged(before_second, 1)) std::_Exit(4);
            ::kill(getpid(), SIGTERM);
            if (!logged("forced exit", 1)) std::_Exit(5);  // 20 s and still waiting
          });
          run_until_signal({a.get(), b.get()});
          std::_Exit(2);  // returned: the second TERM did not force the exit
        },
        ::testing::ExitedWithCode(1), "");
    ::unsetenv(dir_variable);
    EXPECT_EQ(connect_sqlite({.path = first_path})->admin()->queue_size({"default"}), 1) << "the first store's job is back";
    EXPECT_EQ(connect_sqlite({.path = second_path})->admin()->queue_size({"default"}), 1) << "the second store's job is back";
  }
};

TEST_F(ProcessorSignalsExitTest, ASecondTermPushesTheRunningJobsOfEveryStoreBackAndExits1) {
  expect_second_term_exits_1_with_both_jobs_back({std::chrono::seconds(30)}, {std::chrono::seconds(30)},
                                                 "stopping 2 processors");
}

// One processor pushed its job back at its 100 ms timeout but waits for the job's thread
// (the job ignores its stop token); the other still waits for its job: neither holds up
// the forced exit.
TEST_F(ProcessorSignalsExitTest, ASecondTermDoesNotWaitForAJobThatIgnoresItsStopToken) {
  expect_second_term_exits_1_with_both_jobs_back({std::chrono::milliseconds(100), StopToken::ignored},
                                                 {std::chrono::seconds(30)}, "(still running at the shutdown timeout)");
}

}  // namespace
}  // namespace errand::processor_signals_test
