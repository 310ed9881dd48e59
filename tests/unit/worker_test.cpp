#include <errand/registry.hpp>
#include <errand/worker.hpp>

#include <boost/describe.hpp>
#include <gtest/gtest.h>

namespace errand::worker_test {

struct Params {
  std::string name;
  int count = 0;
};
BOOST_DESCRIBE_STRUCT(Params, (), (name, count))

struct Plain : Worker<Plain> {
  static inline std::vector<std::string> seen;
  void perform(std::int64_t id, const std::string& email) { seen.push_back(std::to_string(id) + ":" + email); }
};

struct Named : Worker<Named> {
  static constexpr std::string_view class_name = "Workers::MyWorker";
  static JobOptions options() { return {.queue = "reports", .retry = 5, .tags = {"billing"}}; }
  static inline std::string last;
  void perform(const Params& p, Context& ctx) { last = p.name + "/" + std::to_string(p.count) + "/" + std::string(ctx.jid()); }
};

struct NoArgs : Worker<NoArgs> {
  static inline int runs = 0;
  void perform() const { ++runs; }
};

namespace nested {
struct Deep : Worker<Deep> {
  void perform(Context& /*ctx*/) {}
};
}  // namespace nested

Job job_with(const std::string& args, const std::string& klass = "W") {
  return Job::parse(R"({"class":")" + klass + R"(","jid":"j1","args":)" + args + "}");
}

void run(auto& worker, const Job& job) {
  std::stop_source stop;
  auto logger = null_logger();
  Context ctx(job, *logger, stop.get_token());
  WorkerTraits<std::remove_cvref_t<decltype(worker)>>::invoke(worker, job, ctx);
}

TEST(WorkerTraits, DeducesArgsFromPerform) {
  static_assert(WorkerTraits<Plain>::arity == 2);
  static_assert(!WorkerTraits<Plain>::takes_context);
  static_assert(std::is_same_v<WorkerTraits<Plain>::args_tuple, std::tuple<std::int64_t, std::string>>);
  static_assert(WorkerTraits<Named>::arity == 1);
  static_assert(WorkerTraits<Named>::takes_context);
  static_assert(WorkerTraits<NoArgs>::arity == 0);
  static_assert(WorkerTraits<nested::Deep>::arity == 0);
  SUCCEED();
}

TEST(WorkerTraits, ClassNameIsTheQualifiedTypeNameUnlessOverridden) {
  EXPECT_EQ(WorkerTraits<Plain>::class_name(), "errand::worker_test::Plain");
  EXPECT_EQ(WorkerTraits<nested::Deep>::class_name(), "errand::worker_test::nested::Deep");
  EXPECT_EQ(WorkerTraits<Named>::class_name(), "Workers::MyWorker");
}

TEST(WorkerTraits, InvokesPerformWithDecodedArgs) {
  Plain plain;
  run(plain, job_with(R"([42,"a@b.c"])"));
  ASSERT_EQ(Plain::seen.size(), 1U);
  EXPECT_EQ(Plain::seen.back(), "42:a@b.c");

  Named named;
  run(named, job_with(R"([{"name":"n","count":3,"ignored":1}])"));
  EXPECT_EQ(Named::last, "n/3/j1");

  NoArgs none;
  run(none, job_with("[]"));
  EXPECT_EQ(NoArgs::runs, 1);
}

TEST(WorkerTraits, WrongArityNamesJobAndCounts) {
  Plain plain;
  try {
    run(plain, job_with("[1]", "Mailer"));
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_STREQ(e.what(), "errand: job Mailer (jid j1): expected 2 arguments, got 1");
  }
}

TEST(WorkerTraits, WrongTypeNamesJobIndexExpectedAndActual) {
  Plain plain;
  try {
    run(plain, job_with(R"([1, 2])", "Mailer"));
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_STREQ(e.what(), "errand: job Mailer (jid j1): argument 1: expected string, got integer 2");
  }
  Named named;
  try {
    run(named, job_with(R"([{"name":"n","count":"3"}])", "Workers::MyWorker"));
    FAIL() << "expected ArgumentError";
  } catch (const ArgumentError& e) {
    EXPECT_STREQ(e.what(), "errand: job Workers::MyWorker (jid j1): argument 0.count: expected integer, got string \"3\"");
  }
}

TEST(WorkerTraits, EncodesArgsThroughPerformsParameterTypes) {
  EXPECT_EQ(to_json(WorkerTraits<Plain>::encode_args(7, "x@y")), R"([7,"x@y"])");
  EXPECT_EQ(to_json(WorkerTraits<Named>::encode_args(Params{"p", 2})), R"([{"name":"p","count":2}])");
  EXPECT_EQ(to_json(WorkerTraits<NoArgs>::encode_args()), "[]");
}

}  // namespace errand::worker_test

namespace errand::worker_test {

TEST(WorkerRegistry, OverridesPutSettingsOnTopOfARegisteredWorkersOptions) {
  WorkerRegistry registry;
  registry.add<Named>();
  ASSERT_TRUE(registry.override_options("Workers::MyWorker", {.retry = 2}));
  const auto* entry = registry.find("Workers::MyWorker");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->options.retry, Retry(2));
  EXPECT_EQ(entry->options.queue, "reports") << "the rest of the worker's options stay";
  EXPECT_FALSE(registry.override_options("NotRegistered", {.retry = 1}));
}

}  // namespace errand::worker_test
