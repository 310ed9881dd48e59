// A worker process for the fault tests: runs "FaultJob" jobs until a signal stops it.
// Each run records its jid in the Redis set fault:done and counts itself in fault:runs,
// so the test can check that every job ran and count the runs that were repeats.
//
//   fault_worker <redis-url> <concurrency> <shutdown-timeout-ms>
//   fault_worker <redis-url> <concurrency> <shutdown-timeout-ms> <postgres-url> <lease-s>
//
// The second form takes its jobs from Postgres (leases of <lease-s> seconds) and still
// records them in Redis.
#include <errand/errand.hpp>
#include <errand/postgres.hpp>

#include "redis/connection.hpp"

#include <csignal>
#include <iostream>
#include <thread>

namespace {

void record(const errand::RedisOptions& options, std::string_view jid) {
  thread_local std::unique_ptr<errand::redis::Connection> connection;
  if (!connection || !connection->usable()) connection = std::make_unique<errand::redis::Connection>(options);
  errand::redis::Commands commands;
  commands.add({"SADD", "fault:done", jid});
  commands.add({"INCR", "fault:runs"});
  (void)connection->execute(commands);
}

}  // namespace

int main(int argc, char** argv) {
  // A TERM that arrives while this starts up waits for run_until_signal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGTSTP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (argc != 4 && argc != 6) {
    std::cerr << "usage: fault_worker <redis-url> <concurrency> <shutdown-timeout-ms> [<postgres-url> <lease-s>]\n";
    return 2;
  }
  try {
    const errand::RedisOptions redis = errand::RedisOptions::from_url(argv[1]);
    errand::ProcessorOptions options;
    options.concurrency = std::stoi(argv[2]);
    options.shutdown_timeout = std::chrono::milliseconds(std::stoi(argv[3]));
    options.heartbeat_interval = std::chrono::milliseconds(200);
    options.poll_interval_average = std::chrono::milliseconds(200);
    options.logger = errand::stderr_logger(errand::LogLevel::warn);
    // A fixed bound, so that the tests can check what a kill repeats (the default grows
    // with the pace of fast jobs).
    options.unacknowledged_limit = 16;
    // Failures here come from the store being down: retry soon, many times.
    options.retry.retry_in = [](std::int64_t, const std::exception&) {
      return errand::RetryIn::exactly(std::chrono::milliseconds(300));
    };
    std::shared_ptr<errand::Store> store;
    if (argc == 6) {
      errand::PostgresOptions postgres = errand::PostgresOptions::from_url(argv[4]);
      postgres.visibility_timeout = std::chrono::seconds(std::stoi(argv[5]));
      store = errand::connect_postgres(postgres);
    } else {
      store = errand::connect_redis(redis);
    }
    errand::Processor processor(store, options);
    processor.register_handler("FaultJob", [&redis](const errand::Job& job, errand::Context& ctx) {
      const auto sleep_ms = job.args().at(0).as_int64();
      if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      record(redis, ctx.jid());
    });
    processor.run_until_signal();
  } catch (const std::exception& e) {
    std::cerr << "fault_worker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
