// The client's cost of a push without a store round trip: Client::enqueue and
// enqueue_bulk on the in-process memory store (build, normalize, middleware, dump, insert).
#include <errand/client.hpp>
#include <errand/memory.hpp>

#include "hard_worker.hpp"

#include <benchmark/benchmark.h>
#include <boost/describe.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace client_bench {

using errand_bench::HardWorker;
using errand_bench::Report;

/// Empties the memory store's queue so memory stays bounded. Called outside the timing.
void drain(errand::Store& store) {
  errand::JobFetchParams fetch;
  fetch.queues = {"default"};
  fetch.max = 100'000;
  while (!store.job_fetch(fetch).empty()) {
  }
}

constexpr std::int64_t drain_every_jobs = 1024;

void BM_ClientEnqueue_Memory(benchmark::State& state) {
  const auto store = errand::make_memory_store();
  const errand::Client client{store};
  const std::string email = "bob@example.com";
  const Report report{.plan = "pro", .amount = 19.99, .seats = 5, .coupon = std::nullopt};
  std::int64_t pending = 0;
  for (auto _ : state) {
    std::optional<std::string> jid = client.enqueue<HardWorker>(std::int64_t{1234}, email, report);
    benchmark::DoNotOptimize(jid);
    if (++pending == drain_every_jobs) {
      state.PauseTiming();
      drain(*store);
      pending = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClientEnqueue_Memory);

void BM_ClientEnqueueBulk_Memory(benchmark::State& state) {
  const auto store = errand::make_memory_store();
  const errand::Client client{store};
  const auto batch_size = static_cast<std::size_t>(state.range(0));
  std::vector<errand::WorkerTraits<HardWorker>::args_tuple> batch;
  for (std::size_t i = 0; i < batch_size; ++i) {
    batch.emplace_back(static_cast<std::int64_t>(i), "user" + std::to_string(i) + "@example.com",
                       Report{.plan = "pro", .amount = 19.99, .seats = 5, .coupon = std::nullopt});
  }
  std::int64_t pending = 0;
  for (auto _ : state) {
    std::vector<std::string> jids = client.enqueue_bulk<HardWorker>(batch);
    benchmark::DoNotOptimize(jids);
    pending += state.range(0);
    if (pending >= drain_every_jobs) {
      state.PauseTiming();
      drain(*store);
      pending = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ClientEnqueueBulk_Memory)->Arg(100)->ArgName("jobs");

}  // namespace client_bench
