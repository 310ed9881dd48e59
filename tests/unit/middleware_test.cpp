#include <errand/middleware.hpp>

#include <gtest/gtest.h>

namespace errand {
namespace {

TEST(MiddlewareChain, RunsInOrderAroundTheTerminal) {
  ServerMiddlewareChain chain;
  std::vector<std::string> trace;
  chain.add([&](Job&, Context&, const ServerNext& next) {
    trace.emplace_back("a-before");
    next();
    trace.emplace_back("a-after");
  });
  chain.add([&](Job&, Context&, const ServerNext& next) {
    trace.emplace_back("b-before");
    next();
    trace.emplace_back("b-after");
  });
  Job job = Job::parse(R"({"class":"W","args":[]})");
  auto logger = null_logger();
  Context ctx(job, *logger, {});
  chain.invoke(job, ctx, [&](Job&, Context&) { trace.emplace_back("perform"); });
  EXPECT_EQ(trace, (std::vector<std::string>{"a-before", "b-before", "perform", "b-after", "a-after"}));
}

TEST(MiddlewareChain, NotCallingNextSkipsTheRest) {
  ClientMiddlewareChain chain;
  bool reached = false;
  chain.add([](Job&, const ClientNext&) {});
  Job job;
  chain.invoke(job, [&](Job&) { reached = true; });
  EXPECT_FALSE(reached);
}

TEST(MiddlewareChain, EmptyChainRunsTheTerminal) {
  ClientMiddlewareChain chain;
  bool reached = false;
  Job job;
  chain.invoke(job, [&](Job&) { reached = true; });
  EXPECT_TRUE(reached);
}

}  // namespace
}  // namespace errand
