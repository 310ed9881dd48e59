// Ruby Sidekiq 6.4's API (what its Web UI and scripts read) over errand's Redis data:
// processes, busy jobs, stats and the three job sets; and retries crossing both ways
// between errand and a real `sidekiq` process.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "redis_fixture.hpp"
#include "subprocess.hpp"
#include "temp_dir.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cmath>
#include <csignal>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace errand::sidekiq_api_test {
namespace {

using namespace std::chrono_literals;

std::string ruby_script(const std::string& name) { return test::source_dir() + "/tests/interop/ruby/" + name; }

/// Runs a Ruby script with REDIS_URL set and returns its stdout (JSON or a count).
std::string run_ruby(const std::string& script, const std::string& arguments = "") {
  const auto [status, out] =
      test::run_shell("REDIS_URL='" + test::redis_url() + "' ruby " + ruby_script(script) + " " + arguments);
  if (status != 0) throw std::runtime_error(script + " exited with " + std::to_string(status) + ": " + out);
  return out;
}

/// Everything Sidekiq's API reads from Redis right now (see ruby/api_report.rb).
json::object ruby_report() { return parse_json(run_ruby("api_report.rb")).as_object(); }

std::string json_text(const json::object& o, std::string_view key) {
  return o.contains(key) ? to_json(o.at(key)) : "(missing)";
}
std::int64_t json_int(const json::object& o, std::string_view key) { return o.at(key).to_number<std::int64_t>(); }
double json_double(const json::object& o, std::string_view key) { return o.at(key).to_number<double>(); }

double now_seconds() { return epoch_seconds(Clock::now()); }

std::string this_hostname() {
  std::array<char, 256> name{};
  gethostname(name.data(), name.size() - 1);
  return name.data();
}

std::string utc_date_today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 16> date{};
  std::strftime(date.data(), date.size(), "%Y-%m-%d", &tm);
  return date.data();
}

/// Fast heartbeats and polling; failed jobs retry in exactly one hour.
ProcessorOptions fast_options() {
  ProcessorOptions options;
  options.heartbeat_interval = 100ms;
  options.poll_interval_average = 100ms;
  options.shutdown_timeout = 5s;
  options.logger = null_logger();
  options.retry.retry_in = [](std::int64_t, const std::exception&) { return RetryIn::exactly(std::chrono::hours(1)); };
  return options;
}

/// A handler whose jobs keep running until released (or the processor stops them), so
/// that the process has busy jobs to show.
class HeldJobs {
 public:
  JobHandler handler() {
    return [this](const Job&, Context& ctx) {
      while (!released_ && !ctx.stop_requested()) std::this_thread::sleep_for(5ms);
    };
  }
  void release() { released_ = true; }

 private:
  std::atomic<bool> released_{false};
};

JobHandler always_fails(std::string message) {
  return [message = std::move(message)](const Job&, Context&) { throw std::runtime_error(message); };
}

/// What a handler saw of the job it ran.
struct Seen {
  std::mutex mutex;
  std::vector<json::object> jobs;
  JobHandler handler() {
    return [this](const Job& job, Context&) {
      std::lock_guard lock(mutex);
      jobs.push_back(job.fields());
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return jobs.size();
  }
};

struct Reminder : Worker<Reminder> {
  static constexpr std::string_view class_name = "Interop::Reminder";
  void perform(std::int64_t, const std::string&) {}
};

/// The one process Sidekiq's ProcessSet lists.
json::object only_process(const json::object& report) {
  const json::array& processes = report.at("processes").as_array();
  if (processes.size() != 1) throw std::runtime_error("expected one process, got " + to_json(processes));
  return processes.at(0).as_object();
}

/// The one entry of a job set ("retry", "scheduled" or "dead") in the report.
json::object only_entry(const json::object& report, std::string_view set) {
  const json::array& entries = report.at(set).as_array();
  if (entries.size() != 1) throw std::runtime_error(std::string(set) + ": expected one entry, got " + to_json(entries));
  return entries.at(0).as_object();
}

class SidekiqApiTest : public test::RedisTest {
 protected:
  /// Waits for two more heartbeats of `processor`: the second one started after this
  /// call, so Redis then shows the processor's state as of now.
  bool next_beats(const Processor& processor) {
    for (int i = 0; i < 2; ++i) {
      const std::string last = raw->run({"HGET", processor.identity(), "beat"}).text();
      if (!test::eventually([&] { return raw->run({"HGET", processor.identity(), "beat"}).text() != last; })) {
        return false;
      }
    }
    return true;
  }

  /// A log file for a `sidekiq` process, in this test's own directory.
  [[nodiscard]] std::string sidekiq_log(const std::string& name) const {
    return logs_.file("sidekiq-" + name + ".log");
  }

 private:
  test::TempDir logs_;
};

TEST_F(SidekiqApiTest, ProcessSetSeesTheRunningProcessorAndWhenItIsQuiet) {
  HeldJobs held;
  ProcessorOptions options = fast_options();
  options.concurrency = 3;
  options.queues = {"critical", "default"};
  options.tag = "billing-app";
  options.labels = {"canary", "eu-west"};
  Processor processor(store, options);
  processor.register_handler("Interop::SlowJob", held.handler());
  processor.start();
  (void)Client{store}.enqueue_raw("Interop::SlowJob", "critical", json::array{1});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().busy == 1; }));
  ASSERT_TRUE(next_beats(processor));

  const json::object running = ruby_report();
  const json::object process = only_process(running);
  EXPECT_EQ(process.at("identity"), json::value(processor.identity()));
  EXPECT_EQ(process.at("hostname"), json::value(this_hostname()));
  EXPECT_EQ(json_int(process, "pid"), static_cast<std::int64_t>(getpid()));
  EXPECT_EQ(json_int(process, "concurrency"), 3);
  EXPECT_EQ(json_text(process, "queues"), R"(["critical","default"])");
  EXPECT_EQ(process.at("tag"), json::value("billing-app"));
  EXPECT_EQ(json_text(process, "labels"), R"(["canary","eu-west"])");
  EXPECT_EQ(json_int(process, "busy"), 1);
  EXPECT_EQ(process.at("stopping?"), json::value(false));
  EXPECT_NEAR(json_double(process, "beat"), now_seconds(), 10.0);
  EXPECT_NEAR(json_double(process, "started_at"), now_seconds(), 30.0);
  EXPECT_EQ(json_int(running.at("stats").as_object(), "processes_size"), 1);
  EXPECT_EQ(json_int(running.at("stats").as_object(), "workers_size"), 1);

  processor.quiet();
  ASSERT_TRUE(next_beats(processor));
  const json::object quiet = only_process(ruby_report());
  EXPECT_EQ(quiet.at("stopping?"), json::value(true));
  EXPECT_EQ(json_int(quiet, "busy"), 1) << "a quiet process finishes its running jobs";

  held.release();
  processor.stop();
  const json::object stopped = ruby_report();
  EXPECT_TRUE(stopped.at("processes").as_array().empty()) << to_json(stopped.at("processes"));
  EXPECT_EQ(json_int(stopped.at("stats").as_object(), "processes_size"), 0);
}

TEST_F(SidekiqApiTest, WorkSetListsTheJobErrandIsRunning) {
  HeldJobs held;
  ProcessorOptions options = fast_options();
  options.concurrency = 2;
  options.queues = {"default", "mail"};
  Processor processor(store, options);
  processor.register_handler("Interop::SlowMailer", held.handler());
  processor.start();
  const double before = std::floor(now_seconds());
  const auto jid = Client{store}.enqueue_raw("Interop::SlowMailer", "mail",
                                             parse_json(R"([42,"héllo ✓",{"k":[1.5,null]}])").as_array());
  ASSERT_TRUE(jid);
  ASSERT_TRUE(test::eventually([&] { return processor.stats().busy == 1; }));
  ASSERT_TRUE(next_beats(processor));

  const json::object report = ruby_report();
  EXPECT_EQ(json_int(report, "work_size"), 1);
  const json::array& work = report.at("work").as_array();
  ASSERT_EQ(work.size(), 1U) << to_json(work);
  const json::object& busy = work.at(0).as_object();
  EXPECT_EQ(busy.at("process"), json::value(processor.identity()));
  EXPECT_FALSE(busy.at("thread").as_string().empty());
  EXPECT_EQ(busy.at("queue"), json::value("mail"));
  EXPECT_TRUE(busy.at("run_at").is_int64()) << "Sidekiq 6 writes run_at as integer epoch seconds";
  EXPECT_GE(json_double(busy, "run_at"), before);
  EXPECT_LE(json_double(busy, "run_at"), now_seconds());
  const json::object& payload = busy.at("payload").as_object();
  EXPECT_EQ(payload.at("jid"), json::value(*jid));
  EXPECT_EQ(payload.at("class"), json::value("Interop::SlowMailer"));
  EXPECT_EQ(json_text(payload, "args"), R"([42,"héllo ✓",{"k":[1.5,null]}])");

  held.release();
  ASSERT_TRUE(test::eventually([&] { return processor.stats().busy == 0; }));
  ASSERT_TRUE(next_beats(processor));
  const json::object idle = ruby_report();
  EXPECT_TRUE(idle.at("work").as_array().empty()) << to_json(idle.at("work"));
  EXPECT_EQ(json_int(idle, "work_size"), 0);
  processor.stop();
}

TEST_F(SidekiqApiTest, StatsCountWhatErrandDid) {
  const std::string day_before = utc_date_today();  // the run may cross UTC midnight
  Processor processor(store, fast_options());
  processor.register_handler("Interop::Works", [](const Job&, Context&) {});
  processor.register_handler("Interop::Fails", always_fails("nope"));
  processor.start();
  Client client{store};
  for (int i = 0; i < 4; ++i) (void)client.enqueue_raw("Interop::Works", "default", json::array{i});
  (void)client.enqueue_raw("Interop::Fails", "default", json::array{1});
  (void)client.enqueue_raw("Interop::Fails", "default", json::array{2});
  (void)client.with({.retry = 0}).enqueue_raw("Interop::Fails", "default", json::array{3});
  (void)client.enqueue_in<Reminder>(std::chrono::hours(1), 1, "later");
  (void)client.enqueue_raw("Interop::Works", "unwatched", json::array{5});
  (void)client.enqueue_raw("Interop::Works", "unwatched", json::array{6});
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 7; }));
  processor.stop();
  ASSERT_EQ(processor.stats().failed, 3U);

  const std::string day_after = utc_date_today();
  const json::object report = ruby_report();
  const json::object& stats = report.at("stats").as_object();
  EXPECT_EQ(json_int(stats, "processed"), 7);
  EXPECT_EQ(json_int(stats, "failed"), 3);
  EXPECT_EQ(json_int(stats, "retry_size"), 2);
  EXPECT_EQ(json_int(stats, "scheduled_size"), 1);
  EXPECT_EQ(json_int(stats, "dead_size"), 1);
  EXPECT_EQ(json_int(stats, "enqueued"), 2) << "the two jobs in the queue no process works";
  EXPECT_EQ(json_int(stats, "processes_size"), 0) << "a stopped processor leaves the process set";
  EXPECT_EQ(json_int(stats, "workers_size"), 0);
  // Sidekiq's daily counters: all on one day, or split across the two if the run
  // crossed midnight (History reads the newest day it is asked for: the day after).
  const json::object& history = report.at("history").as_object();
  if (day_before == day_after) {
    EXPECT_EQ(json_text(history, "processed"), R"({")" + day_after + R"(":7})");
    EXPECT_EQ(json_text(history, "failed"), R"({")" + day_after + R"(":3})");
  } else {
    EXPECT_LE(history.at("processed").as_object().at(day_after).to_number<std::int64_t>(), 7);
    EXPECT_LE(history.at("failed").as_object().at(day_after).to_number<std::int64_t>(), 3);
  }
}

TEST_F(SidekiqApiTest, RetryScheduledAndDeadSetsReadErrandsEntries) {
  ProcessorOptions options = fast_options();
  options.queues = {"billing"};
  Processor processor(store, options);
  processor.register_handler("Interop::Charge", always_fails("card declined: 4242 \"é\""));
  processor.start();
  Client client{store};
  const auto retried = client.enqueue_raw("Interop::Charge", "billing", parse_json(R"([7,"x",{"a":true}])").as_array());
  const auto dead = client.with({.retry = 0}).enqueue_raw("Interop::Charge", "billing", json::array{8});
  const auto scheduled = client.enqueue_in<Reminder>(std::chrono::hours(2), 5, "later");
  ASSERT_TRUE(retried && dead && scheduled);
  ASSERT_TRUE(test::eventually([&] { return processor.stats().processed == 2; }));
  processor.stop();

  const double now = now_seconds();
  const json::object report = ruby_report();

  const json::object retry = only_entry(report, "retry");
  EXPECT_EQ(retry.at("jid"), json::value(*retried));
  EXPECT_EQ(retry.at("klass"), json::value("Interop::Charge"));
  EXPECT_EQ(json_text(retry, "args"), R"([7,"x",{"a":true}])");
  EXPECT_EQ(retry.at("error_class"), json::value("std::runtime_error"));
  EXPECT_EQ(retry.at("error_message"), json::value("card declined: 4242 \"é\""));
  EXPECT_EQ(json_text(retry, "retry_count"), "0");
  EXPECT_EQ(retry.at("queue"), json::value("billing"));
  EXPECT_EQ(retry.at("error?"), json::value(true));
  EXPECT_NEAR(json_double(retry, "at"), now + 3600, 30.0);

  const json::object later = only_entry(report, "scheduled");
  EXPECT_EQ(later.at("jid"), json::value(*scheduled));
  EXPECT_EQ(later.at("klass"), json::value("Interop::Reminder"));
  EXPECT_EQ(json_text(later, "args"), R"([5,"later"])");
  EXPECT_EQ(later.at("queue"), json::value("default"));
  EXPECT_EQ(later.at("error?"), json::value(false));
  EXPECT_NEAR(json_double(later, "at"), now + 7200, 30.0);

  const json::object morgue = only_entry(report, "dead");
  EXPECT_EQ(morgue.at("jid"), json::value(*dead));
  EXPECT_EQ(morgue.at("klass"), json::value("Interop::Charge"));
  EXPECT_EQ(json_text(morgue, "args"), "[8]");
  EXPECT_EQ(morgue.at("error_class"), json::value("std::runtime_error"));
  EXPECT_EQ(json_text(morgue, "retry_count"), "0");
  EXPECT_EQ(morgue.at("queue"), json::value("billing"));
  EXPECT_NEAR(json_double(morgue, "at"), now, 30.0);
}

// Ruby's poller pushes due jobs through Sidekiq::Client, which sets enqueued_at: the
// queue's latency counts from the move, not from the job's first enqueue an hour ago.
TEST_F(SidekiqApiTest, APolledRetryHasTheLatencyRubysPollerWouldGiveIt) {
  const double hour_ago = now_seconds() - 3600;
  const std::string payload = R"({"retry":true,"queue":"polled","args":[10.506424374475909],"class":"W",)"
                              R"("jid":"0123456789abcdef01234567","created_at":)" +
                              format_double(hour_ago) + R"(,"enqueued_at":)" + format_double(hour_ago) +
                              R"(,"error_message":"boom","retry_count":0})";
  raw->run({"ZADD", "retry", format_double(now_seconds() - 1), payload});
  ASSERT_EQ(store->job_schedule_due({Clock::now(), 100}), 1U);
  const double latency = std::stod(run_ruby("queue_latency.rb", "polled"));
  EXPECT_GE(latency, 0);
  EXPECT_LT(latency, 600) << "enqueued_at was refreshed when the job moved";
  const auto queued = list("queue:polled");
  ASSERT_EQ(queued.size(), 1U);
  const Job moved = Job::parse(queued[0]);
  EXPECT_GT(moved.find("enqueued_at")->as_double(), hour_ago + 3000);
  // Everything else is as it was, in the same order, numbers to the bit.
  Job expected = Job::parse(payload);
  expected.set("enqueued_at", *moved.find("enqueued_at"));
  EXPECT_EQ(queued[0], expected.dump());
}

TEST_F(SidekiqApiTest, APolledJobGetsSidekiq8sMillisecondEnqueuedAt) {
  raw->run({"ZADD", "schedule", format_double(now_seconds() - 1),
            R"({"queue":"polled","class":"W","args":[],"jid":"j8","created_at":1700000000000})"});
  RedisOptions sidekiq8 = test::redis_options();
  sidekiq8.sidekiq_version = SidekiqVersion::v8;
  ASSERT_EQ(connect_redis(sidekiq8)->job_schedule_due({Clock::now(), 100}), 1U);
  const Job moved = Job::parse(list("queue:polled").at(0));
  ASSERT_TRUE(moved.find("enqueued_at")->is_int64());
  EXPECT_GT(moved.find("enqueued_at")->as_int64(), 1'700'000'000'000);  // ms, as created_at
}

TEST_F(SidekiqApiTest, RetryWrittenByRubySidekiqIsRunByErrand) {
  const auto jid = Client{store}.enqueue_raw("Interop::RubyFailingWorker", "default",
                                             parse_json(R"([11,"from errand",{"nested":[true,2.5]}])").as_array());
  ASSERT_TRUE(jid);
  const std::string log = sidekiq_log("fails");
  {
    test::Subprocess sidekiq({"sidekiq", "-r", ruby_script("failing_workers.rb"), "-c", "1", "-q", "default", "-t", "5"},
                             {"REDIS_URL=" + test::redis_url()}, log);
    const bool failed = test::eventually([&] { return zset("retry").size() == 1; }, 30s);
    sidekiq.stop(SIGTERM, 15s);
    ASSERT_TRUE(failed) << test::read_file(log);
  }
  const auto [entry, score] = zset("retry").at(0);
  EXPECT_GT(score, now_seconds()) << "Ruby's first retry is 15 s or more away";
  const json::object written = parse_json(entry).as_object();
  EXPECT_EQ(written.at("error_class"), json::value("RuntimeError"));

  EXPECT_EQ(run_ruby("retry_set.rb", "make_due"), "1\n");
  ASSERT_EQ(zset("retry").size(), 1U) << "rescheduling must move the entry, not add one";
  EXPECT_LT(zset("retry").at(0).second, now_seconds());

  Seen seen;
  Processor processor(store, fast_options());
  processor.register_handler("Interop::RubyFailingWorker", seen.handler());
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return seen.size() == 1; }));
  processor.stop();

  const json::object& ran = seen.jobs.at(0);
  EXPECT_EQ(ran.at("jid"), json::value(*jid));
  EXPECT_EQ(json_text(ran, "retry_count"), "0");
  EXPECT_EQ(json_text(ran, "args"), R"([11,"from errand",{"nested":[true,2.5]}])");
  EXPECT_EQ(ran.at("error_class"), json::value("RuntimeError"));
  EXPECT_EQ(ran.at("error_message"), json::value("boom from ruby"));
  EXPECT_EQ(processor.stats().failed, 0U);
  EXPECT_TRUE(zset("retry").empty());
  EXPECT_TRUE(list("queue:default").empty());
}

TEST_F(SidekiqApiTest, RetryWrittenByErrandIsRunByRubySidekiq) {
  Processor processor(store, fast_options());
  processor.register_handler("Interop::RubyEchoWorker", always_fails("errand could not do it"));
  processor.start();
  const auto jid = Client{store}.enqueue_raw("Interop::RubyEchoWorker", "default",
                                             parse_json(R"([3,"héllo ✓",{"a":[1.5,null]}])").as_array());
  ASSERT_TRUE(jid);
  ASSERT_TRUE(test::eventually([&] { return zset("retry").size() == 1; }));
  processor.stop();
  EXPECT_EQ(processor.stats().failed, 1U);

  EXPECT_EQ(run_ruby("retry_set.rb", "retry_now"), "1\n");
  EXPECT_TRUE(zset("retry").empty());
  ASSERT_EQ(list("queue:default").size(), 1U);

  const std::string log = sidekiq_log("echo");
  test::Subprocess sidekiq({"sidekiq", "-r", ruby_script("workers.rb"), "-c", "1", "-q", "default", "-t", "5"},
                           {"REDIS_URL=" + test::redis_url()}, log);
  const bool ran = test::eventually([&] { return raw->run({"LLEN", "interop:results"}).as_integer() == 1; }, 30s);
  sidekiq.stop(SIGTERM, 15s);
  ASSERT_TRUE(ran) << test::read_file(log);

  const json::object result = parse_json(list("interop:results").at(0)).as_object();
  EXPECT_EQ(result.at("jid"), json::value(*jid));
  EXPECT_EQ(result.at("class"), json::value("Interop::RubyEchoWorker"));
  EXPECT_EQ(json_text(result, "args"), R"([3,"héllo ✓",{"a":[1.5,null]}])");
  EXPECT_TRUE(zset("retry").empty()) << "Ruby failed the retried job";
  EXPECT_TRUE(list("queue:default").empty());
}

}  // namespace
}  // namespace errand::sidekiq_api_test
