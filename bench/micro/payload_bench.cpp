// Payload parse and serialize: Job::parse, Job::dump and to_json (errand's Ruby-style
// JSON writer) and format_double, on a typical Sidekiq job and on jobs with 1 KB and 64 KB of args.
#include <errand/job.hpp>
#include <errand/json.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <string>

namespace {

// A realistic Sidekiq payload (docs: /work/shared/notes/deps.md, Q8), 311 bytes.
constexpr std::string_view typical_job =
    R"({"retry":true,"queue":"default","class":"App::Jobs::HardWorker","args":[1234,"bob@example.com",)"
    R"({"plan":"pro","amount":19.99}],"jid":"b4a577edbccf1d805744efa9","created_at":1700000000.123456,)"
    R"("enqueued_at":1700000000.654321,"retry_count":2,"failed_at":1700000001.5,"error_class":"RuntimeError",)"
    R"("tags":["billing"]})";

/// The typical job with line items added to its args until they are at least `args_bytes`
/// of JSON: many small objects with strings, integers and floats, as an order job has.
std::string job_with_args_of(std::size_t args_bytes) {
  errand::Job job = errand::Job::parse(typical_job);
  errand::json::array& args = job.fields()["args"].as_array();
  errand::json::array items;
  for (int i = 0; errand::to_json(args).size() + errand::to_json(items).size() < args_bytes; ++i) {
    items.push_back(errand::json::object{{"sku", "SKU-" + std::to_string(100000 + i)}, {"qty", 1 + i % 7},
                                         {"price", 4.25 + i % 50}});
  }
  args[2].as_object()["items"] = std::move(items);
  return job.dump();
}

std::string payload_for(std::size_t args_bytes) {
  return args_bytes == 0 ? std::string(typical_job) : job_with_args_of(args_bytes);
}

void BM_JobParse(benchmark::State& state, std::size_t args_bytes) {
  const std::string payload = payload_for(args_bytes);
  for (auto _ : state) {
    errand::Job job = errand::Job::parse(payload);
    benchmark::DoNotOptimize(job);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
  state.counters["payload_bytes"] = static_cast<double>(payload.size());
}
BENCHMARK_CAPTURE(BM_JobParse, typical, 0);
BENCHMARK_CAPTURE(BM_JobParse, args_1KB, 1024);
BENCHMARK_CAPTURE(BM_JobParse, args_64KB, 64 * 1024);

// What Job::parse cost before errand read numbers itself: Boost.JSON's own parser with
// the same options (its doubles are not correctly rounded). The difference to
// BM_JobParse is the price of exact numbers.
void BM_BoostParseInexact(benchmark::State& state, std::size_t args_bytes) {
  const std::string payload = payload_for(args_bytes);
  boost::json::parse_options options;
  options.max_depth = 100;
  for (auto _ : state) {
    boost::json::value value = boost::json::parse(payload, {}, options);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
}
BENCHMARK_CAPTURE(BM_BoostParseInexact, typical, 0);
BENCHMARK_CAPTURE(BM_BoostParseInexact, args_1KB, 1024);
BENCHMARK_CAPTURE(BM_BoostParseInexact, args_64KB, 64 * 1024);

void BM_JobDump(benchmark::State& state, std::size_t args_bytes) {
  const errand::Job job = errand::Job::parse(payload_for(args_bytes));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = job.dump();
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["payload_bytes"] = static_cast<double>(bytes);
}
BENCHMARK_CAPTURE(BM_JobDump, typical, 0);
BENCHMARK_CAPTURE(BM_JobDump, args_1KB, 1024);
BENCHMARK_CAPTURE(BM_JobDump, args_64KB, 64 * 1024);

// errand's writer alone, on a json::value that already holds the payload. Job::dump
// writes the same text; the difference between the two is the cost of getting from the
// Job's json::object to the `const json::value&` that append_json takes.
void BM_ToJson(benchmark::State& state, std::size_t args_bytes) {
  const errand::json::value payload = errand::parse_json(payload_for(args_bytes));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = errand::to_json(payload);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["payload_bytes"] = static_cast<double>(bytes);
}
BENCHMARK_CAPTURE(BM_ToJson, typical, 0);
BENCHMARK_CAPTURE(BM_ToJson, args_1KB, 1024);
BENCHMARK_CAPTURE(BM_ToJson, args_64KB, 64 * 1024);

// A sorted-set score or a Sidekiq 6/7 timestamp: `1700000000.123456`.
void BM_FormatDouble_Epoch(benchmark::State& state) {
  double epoch = 1700000000.123456;
  for (auto _ : state) {
    benchmark::DoNotOptimize(epoch);  // opaque: no constant folding of the conversion
    std::string text = errand::format_double(epoch);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_FormatDouble_Epoch);

}  // namespace
