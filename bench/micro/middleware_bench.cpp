// Middleware chain overhead: invoke with 0, 1 and 5 pass-through middlewares around an
// empty terminal, server side (Job, Context) and client side (Job). The terminal is a
// lambda converted to std::function at each invoke, as the processor and client do.
#include <errand/context.hpp>
#include <errand/job.hpp>
#include <errand/logger.hpp>
#include <errand/middleware.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <stop_token>
#include <string_view>

namespace middleware_bench {

constexpr std::string_view typical_job =
    R"({"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",)"
    R"({"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,)"
    R"("enqueued_at":1700000000.654321,"retry_count":2,"failed_at":1700000001.5,"error_class":"RuntimeError",)"
    R"("tags":["billing"]})";

void BM_ServerMiddlewareChain(benchmark::State& state) {
  errand::ServerMiddlewareChain chain;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    chain.add([](errand::Job&, errand::Context&, const errand::ServerNext& next) { next(); });
  }
  errand::Job job = errand::Job::parse(typical_job);
  const auto logger = errand::null_logger();
  errand::Context ctx(job, *logger, std::stop_token{});
  std::int64_t runs = 0;
  for (auto _ : state) {
    chain.invoke(job, ctx, [&runs](errand::Job&, errand::Context&) { benchmark::DoNotOptimize(++runs); });
  }
  if (runs != state.iterations()) state.SkipWithError("the terminal did not run once per invoke");
}
BENCHMARK(BM_ServerMiddlewareChain)->Arg(0)->Arg(1)->Arg(5)->ArgName("middlewares");

void BM_ClientMiddlewareChain(benchmark::State& state) {
  errand::ClientMiddlewareChain chain;
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    chain.add([](errand::Job&, const errand::ClientNext& next) { next(); });
  }
  errand::Job job = errand::Job::parse(typical_job);
  std::int64_t runs = 0;
  for (auto _ : state) {
    chain.invoke(job, [&runs](errand::Job&) { benchmark::DoNotOptimize(++runs); });
  }
  if (runs != state.iterations()) state.SkipWithError("the terminal did not run once per invoke");
}
BENCHMARK(BM_ClientMiddlewareChain)->Arg(0)->Arg(1)->Arg(5)->ArgName("middlewares");

}  // namespace middleware_bench
