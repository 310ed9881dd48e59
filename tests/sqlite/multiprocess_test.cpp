// The SQLite store shared by several processes on one machine, one of them killed.
#include <errand/client.hpp>
#include <errand/processor.hpp>
#include <errand/sqlite.hpp>

#include "temp_dir.hpp"
#include "test_env.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace errand::sqlite_test {

namespace fs = std::filesystem;

class SqliteProcessesTest : public ::testing::Test {
 protected:
  /// A child process running a processor until its queue stays empty; each job appends
  /// its jid to the child's own file. Returns the child's pid.
  pid_t start_worker(int index) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    // In the child: no threads were inherited (the parent has started none).
    std::ofstream out(dir / ("done-" + std::to_string(index) + ".txt"));
    ProcessorOptions options;
    options.concurrency = 4;
    options.unacknowledged_limit = 4;  // a kill repeats at most 4 running + 4 finished jobs
    options.logger = null_logger();
    // A live process counts as dead after 3 missed beats: 3 s here, so that a slow
    // build (TSan) does not make the live workers look dead to each other.
    options.heartbeat_interval = std::chrono::milliseconds(1000);
    options.poll_interval_average = std::chrono::milliseconds(100);
    auto store = connect(url);
    std::mutex mutex;
    Processor processor(store, options);
    processor.register_handler("Job", [&](const Job& job, Context&) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      std::lock_guard lock(mutex);
      out << job.jid() << std::endl;  // flushed: a kill loses nothing written
    });
    processor.start();
    // Until nothing was queued for longer than a dead process's jobs take to come back
    // (3 missed beats), so that the survivors are there to run them.
    int idle = 0;
    while (idle < 50) {  // 5 s
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      idle = test::admin(*store).queue_size({"default"}) == 0 && processor.stats().busy == 0 ? idle + 1 : 0;
    }
    processor.stop();
    std::_Exit(0);
  }

  std::map<std::string, int> runs_by_jid() {
    std::map<std::string, int> runs;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename().string().rfind("done-", 0) != 0) continue;
      std::ifstream in(entry.path());
      for (std::string jid; std::getline(in, jid);) ++runs[jid];
    }
    return runs;
  }

  test::TempDir scratch;  // the database, and each worker's list of the jobs it ran
  fs::path dir = scratch.path();
  std::string url = "sqlite://" + scratch.file("jobs.db");
};

TEST_F(SqliteProcessesTest, ThreeProcessesShareOneFileAndAKilledOnesJobsComeBack) {
  constexpr int jobs = 3000;
  std::set<std::string> jids;
  {
    Client client{connect(url)};
    std::vector<Job> batch;
    for (int i = 0; i < jobs; ++i) batch.push_back(Job(json::object{{"class", "Job"}, {"args", json::array{i}}}));
    for (auto& jid : client.push_bulk(std::move(batch))) jids.insert(jid);
  }
  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(start_worker(i));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(workers[0], SIGKILL);  // mid-run, holding jobs
  int status = 0;
  ::waitpid(workers[0], &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  for (std::size_t i = 1; i < workers.size(); ++i) {
    ::waitpid(workers[i], &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }

  const auto runs = runs_by_jid();
  std::set<std::string> done;
  int repeats = 0;
  for (const auto& [jid, count] : runs) {
    done.insert(jid);
    repeats += count - 1;
  }
  EXPECT_EQ(done, jids) << "every job ran";
  EXPECT_LE(repeats, 4 + 4) << "only the killed process's running and unacknowledged jobs can run twice";
  auto store = connect(url);
  EXPECT_EQ(test::admin(*store).queue_size({"default"}), 0);
  EXPECT_TRUE(test::held_jobs(*store).job_list_held({"anyone"}).empty());
}

}  // namespace errand::sqlite_test
