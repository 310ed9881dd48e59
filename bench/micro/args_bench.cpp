// Typed args: WorkerTraits<W>::decode_args (JSON -> perform's parameters) and
// encode_args (C++ values -> a job's args) for perform(int64, string, described struct).
#include <errand/job.hpp>
#include <errand/worker.hpp>

#include "hard_worker.hpp"

#include <benchmark/benchmark.h>
#include <boost/describe.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace args_bench {

using errand_bench::HardWorker;
using errand_bench::Report;
using Traits = errand::WorkerTraits<HardWorker>;

// The job of docs/benchmarks.md (deps.md Q8): args [1234,"bob@example.com",{"plan":"pro","amount":19.99}].
constexpr std::string_view typical_job =
    R"({"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",)"
    R"({"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,)"
    R"("enqueued_at":1700000000.654321,"retry_count":2,"failed_at":1700000001.5,"error_class":"RuntimeError",)"
    R"("tags":["billing"]})";

void BM_DecodeArgs(benchmark::State& state) {
  const errand::Job job = errand::Job::parse(typical_job);
  for (auto _ : state) {
    Traits::args_tuple args = Traits::decode_args(job);
    benchmark::DoNotOptimize(args);
  }
}
BENCHMARK(BM_DecodeArgs);

void BM_EncodeArgs(benchmark::State& state) {
  const std::string email = "bob@example.com";
  const Report report{.plan = "pro", .amount = 19.99, .seats = 5, .coupon = std::nullopt};
  std::int64_t user_id = 1234;
  for (auto _ : state) {
    benchmark::DoNotOptimize(user_id);
    errand::json::array args = Traits::encode_args(user_id, email, report);
    benchmark::DoNotOptimize(args);
  }
}
BENCHMARK(BM_EncodeArgs);

}  // namespace args_bench
