// Interop with real Ruby Sidekiq (Debian's ruby-sidekiq): Ruby enqueues and errand runs,
// errand enqueues and `sidekiq` runs, and both write the same payloads for the same call.
#include <errand/client.hpp>
#include <errand/processor.hpp>

#include "redis_fixture.hpp"
#include "subprocess.hpp"
#include "temp_dir.hpp"

#include <boost/describe.hpp>

#include <bit>
#include <csignal>
#include <mutex>

namespace errand::interop_test {

struct Report {
  std::string user_guid;
  std::int64_t year = 0;
};
BOOST_DESCRIBE_STRUCT(Report, (), (user_guid, year))

struct Received {
  std::mutex mutex;
  std::map<std::string, std::string> by_jid;  // jid -> description of what perform got
  void add(std::string_view jid, std::string what) {
    std::lock_guard lock(mutex);
    by_jid[std::string(jid)] = std::move(what);
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return by_jid.size();
  }
  std::string at(const std::string& jid) {
    std::lock_guard lock(mutex);
    return by_jid.count(jid) ? by_jid[jid] : "(not run)";
  }
};

struct EchoWorker : Worker<EchoWorker> {
  static constexpr std::string_view class_name = "Interop::Nested::EchoWorker";
  Received* received;
  void perform(std::int64_t n, const std::string& s, double d, bool b, const std::optional<std::string>& none,
               const std::vector<std::int64_t>& list, const json::object& nested, Context& ctx) {
    received->add(ctx.jid(), std::to_string(n) + "|" + s + "|" + format_double(d) + "|" + (b ? "true" : "false") +
                                 "|" + (none ? *none : "nullopt") + "|" + std::to_string(list.size()) + "|" +
                                 to_json(nested) + "|" + std::string(ctx.queue()));
  }
};

struct ReportWorker : Worker<ReportWorker> {
  static constexpr std::string_view class_name = "ReportWorker";
  Received* received;
  void perform(const Report& report, Context& ctx) {
    received->add(ctx.jid(), report.user_guid + "|" + std::to_string(report.year) + "|" + std::string(ctx.queue()));
  }
};

struct RubyEcho : Worker<RubyEcho> {
  static constexpr std::string_view class_name = "Interop::RubyEchoWorker";
  void perform(std::int64_t, const std::string&, const Report&, const std::vector<double>&) {}
};

std::string ruby_script(const std::string& name) { return test::source_dir() + "/tests/interop/ruby/" + name; }

class SidekiqInteropTest : public test::RedisTest {};

TEST_F(SidekiqInteropTest, RubyEnqueuesErrandRunsWithTheExactArgs) {
  const auto [status, out] = test::run_shell("REDIS_URL='" + test::redis_url() + "' ruby " + ruby_script("push_jobs.rb"));
  ASSERT_EQ(status, 0) << out;
  const json::object jids = parse_json(out).as_object();

  Received received;
  ProcessorOptions options;
  options.concurrency = 2;
  options.queues = {"interop", "default", "other"};
  options.logger = null_logger();
  Processor processor(store, options);
  processor.register_worker<EchoWorker>([&] {
    EchoWorker w;
    w.received = &received;
    return w;
  });
  processor.register_worker<ReportWorker>([&] {
    ReportWorker w;
    w.received = &received;
    return w;
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] { return received.size() == 3; }));
  processor.stop();
  EXPECT_EQ(processor.stats().failed, 0U);

  EXPECT_EQ(received.at(std::string(jids.at("echo").as_string())),
            R"(42|héllo "world" \ / ✓|19.99|true|nullopt|3|{"nested":{"k":[false,1.5]}}|interop)");
  EXPECT_EQ(received.at(std::string(jids.at("report").as_string())), "u-1|2026|default");
  EXPECT_EQ(received.at(std::string(jids.at("big").as_string())), "big|2147483647|other");
}

// Floats a Rails app pushes reach the worker bit for bit (Ruby writes each float's
// shortest text; errand reads it correctly rounded). 10,000 random doubles of every
// magnitude; Ruby prints their bits as integers to compare against.
TEST_F(SidekiqInteropTest, RandomFloatsFromRubyReachTheWorkerBitForBit) {
  const auto [status, out] = test::run_shell("REDIS_URL='" + test::redis_url() + "' ruby " +
                                             ruby_script("push_random_floats.rb") + " 10000 1203");
  ASSERT_EQ(status, 0) << out;
  const json::object expected = parse_json(out).as_object();
  std::mutex mutex;
  std::map<std::string, std::vector<double>> received;
  ProcessorOptions options;
  options.concurrency = 2;
  options.queues = {"floats"};
  options.logger = null_logger();
  Processor processor(store, options);
  processor.register_handler("FloatsWorker", [&](const Job& job, Context& ctx) {
    std::vector<double> values;
    for (const auto& v : job.args().at(0).as_array()) values.push_back(v.as_double());
    std::lock_guard lock(mutex);
    received[std::string(ctx.jid())] = std::move(values);
  });
  processor.start();
  ASSERT_TRUE(test::eventually([&] {
    std::lock_guard lock(mutex);
    return received.size() == expected.size();
  }));
  processor.stop();
  int compared = 0;
  int wrong = 0;
  for (const auto& [jid, bits] : expected) {
    const std::vector<double>& got = received.at(std::string(jid));
    const json::array& want = bits.as_array();
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i, ++compared) {
      const auto expected_bits = want[i].to_number<std::uint64_t>();
      if (std::bit_cast<std::uint64_t>(got[i]) != expected_bits && ++wrong <= 5) {
        ADD_FAILURE() << "Ruby's " << format_double(std::bit_cast<double>(expected_bits)) << " arrived as "
                      << format_double(got[i]);
      }
    }
  }
  EXPECT_EQ(compared, 10'000);
  EXPECT_EQ(wrong, 0);
}

TEST_F(SidekiqInteropTest, ErrandEnqueuesRubySidekiqRuns) {
  Client client{store};
  std::map<std::string, std::string> expected;  // jid -> args JSON
  for (int i = 0; i < 5; ++i) {
    const auto jid = client.enqueue<RubyEcho>(i, "héllo ✓", Report{"g" + std::to_string(i), 2000 + i},
                                              std::vector<double>{0.5, 1e20, -3.0});
    expected[*jid] = R"([)" + std::to_string(i) + R"(,"héllo ✓",{"user_guid":"g)" + std::to_string(i) +
                     R"(","year":)" + std::to_string(2000 + i) + R"(},[0.5,1.0e+20,-3.0]])";
  }
  const auto other = client.with({.queue = "other"}).enqueue_raw("Interop::RubyEchoWorker", "other",
                                                                   json::array{nullptr, true, "x"});
  expected[*other] = R"([null,true,"x"])";

  const test::TempDir logs;
  test::Subprocess sidekiq({"sidekiq", "-r", ruby_script("workers.rb"), "-c", "2", "-q", "default", "-q", "other",
                            "-t", "5"},
                           {"REDIS_URL=" + test::redis_url()}, logs.file("sidekiq.log"));
  const bool all_ran = test::eventually(
      [&] { return raw->run({"LLEN", "interop:results"}).as_integer() == static_cast<std::int64_t>(expected.size()); },
      std::chrono::seconds(60));
  sidekiq.stop(SIGTERM, std::chrono::seconds(15));
  ASSERT_TRUE(all_ran) << test::read_file(logs.file("sidekiq.log"));

  for (const std::string& line : list("interop:results")) {
    const json::object result = parse_json(line).as_object();
    const std::string jid(result.at("jid").as_string());
    ASSERT_TRUE(expected.count(jid)) << line;
    EXPECT_EQ(to_json(result.at("args")), expected[jid]) << "Ruby's perform received different args";
    EXPECT_EQ(result.at("class"), json::value("Interop::RubyEchoWorker"));
  }
  EXPECT_TRUE(zset("retry").empty()) << "Ruby failed a job errand enqueued";
}

/// Keys in order, and each key's JSON kind.
std::vector<std::string> shape(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& m : o) {
    std::string kind;
    switch (m.value().kind()) {
      case json::kind::double_: kind = "float"; break;
      case json::kind::int64:
      case json::kind::uint64: kind = "integer"; break;
      case json::kind::string: kind = "string"; break;
      case json::kind::bool_: kind = "bool"; break;
      case json::kind::array: kind = "array"; break;
      case json::kind::object: kind = "object"; break;
      case json::kind::null: kind = "null"; break;
    }
    out.push_back(std::string(m.key()) + ":" + kind);
  }
  return out;
}

/// Every field equal except the ones that differ per push (jid and timestamps).
void expect_same_payload(const std::string& ruby, const std::string& ours) {
  SCOPED_TRACE("ruby:   " + ruby + "\nerrand: " + ours);
  const json::object r = parse_json(ruby).as_object();
  const json::object e = parse_json(ours).as_object();
  EXPECT_EQ(shape(r), shape(e));
  for (const auto& m : r) {
    if (m.key() == "jid" || m.key() == "created_at" || m.key() == "enqueued_at") continue;
    EXPECT_EQ(to_json(m.value()), e.contains(m.key()) ? to_json(e.at(m.key())) : "(missing)") << m.key();
  }
  EXPECT_EQ(e.at("jid").as_string().size(), 24U);
}

struct HardWorker : Worker<HardWorker> {
  static constexpr std::string_view class_name = "HardWorker";
  static JobOptions options() { return {.queue = "critical", .retry = 5, .backtrace = true, .tags = {"billing"}}; }
  void perform(std::int64_t, const std::string&, const json::object&) {}
};
struct PlainWorker : Worker<PlainWorker> {
  static constexpr std::string_view class_name = "PlainWorker";
  void perform(std::int64_t, const std::string&, const json::object&) {}
};

TEST_F(SidekiqInteropTest, PayloadsMatchRubysForTheSameCall) {
  const auto [status, out] = test::run_shell("REDIS_URL='" + test::redis_url() + "' ruby " + ruby_script("payloads.rb"));
  ASSERT_EQ(status, 0) << out;
  const json::object ruby = parse_json(out).as_object();
  test::flush_redis();

  Client client{store};
  const json::object arg = parse_json(R"({"a":[1.5,null,true]})").as_object();
  (void)client.enqueue<HardWorker>(1, "x", arg);
  (void)client.enqueue_in<PlainWorker>(std::chrono::hours(1), 1, "x", arg);
  (void)client.enqueue<PlainWorker>(1, "x", arg);

  expect_same_payload(std::string(ruby.at("options").as_string()), list("queue:critical").at(0));
  expect_same_payload(std::string(ruby.at("plain").as_string()), list("queue:default").at(0));
  const auto& ruby_scheduled = ruby.at("scheduled").as_array();
  const auto ours = zset("schedule").at(0);
  expect_same_payload(std::string(ruby_scheduled.at(0).as_string()), ours.first);
  EXPECT_NEAR(ruby_scheduled.at(1).to_number<double>(), ours.second, 30.0);  // both now + 1 h
}

[[gnu::noinline]] void fail_with_a_trace() { throw std::invalid_argument("traced"); }

TEST_F(SidekiqInteropTest, RubyReadsErrandsErrorBacktrace) {
  ProcessorOptions options;
  options.concurrency = 1;
  options.logger = null_logger();
  Processor processor(store, options);
  processor.register_handler("Traced", [](const Job&, Context&) { fail_with_a_trace(); });
  processor.start();
  (void)Client{store}.push(Job::parse(R"({"class":"Traced","args":[],"backtrace":true})"));
  ASSERT_TRUE(test::eventually([&] { return zset("retry").size() == 1; }));
  processor.stop();

  const auto [status, out] =
      test::run_shell("REDIS_URL='" + test::redis_url() + "' ruby " + ruby_script("error_backtrace.rb"));
  ASSERT_EQ(status, 0) << out;
  const json::object seen = parse_json(out).as_object();
  EXPECT_EQ(seen.at("error_class"), json::value("std::invalid_argument"));
  const json::array& lines = seen.at("error_backtrace").as_array();
  ASSERT_FALSE(lines.empty()) << "Ruby could not decode error_backtrace";
  bool found = false;
  for (const auto& line : lines) found = found || std::string_view(line.as_string()).find("fail_with_a_trace") != std::string_view::npos;
  EXPECT_TRUE(found) << to_json(lines);
}

}  // namespace errand::interop_test
