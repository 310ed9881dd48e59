// The measurements errand_bench can make; each fills one CSV row. docs/benchmarks.md
// says exactly what each one measures.
#pragma once

#include "bench_options.hpp"
#include "result_row.hpp"

#include <errand/client.hpp>
#include <errand/job.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace errand::bench {

/// The job every throughput scenario runs, with typical_args(); its handler only counts.
inline constexpr std::string_view noop_class = "Bench::Noop";
/// The latency scenarios' job: args `[steady_ns at enqueue, marker index]`.
inline constexpr std::string_view marker_class = "Bench::Marker";

/// The args of every no-op job, the same as the peers' (bench/peers): the shape of
/// errand's typical job, `[1234, "bob@example.com", {"plan": "pro", "amount": 19.99}]`.
[[nodiscard]] json::array typical_args();

/// `count` no-op jobs for push_bulk.
[[nodiscard]] std::vector<Job> noop_jobs(std::size_t count, std::string_view queue);

/// Enqueues `jobs` no-op jobs to "default" in push_bulk batches of `bulk_size`.
void preload(const Client& client, std::int64_t jobs, std::size_t bulk_size);

/// Runs `work(thread_index, first_item, item_count)` on `threads` threads that share
/// `items` items fairly; returns when all have finished, rethrowing the first error.
void run_split(int threads, std::int64_t items,
               const std::function<void(int, std::int64_t, std::int64_t)>& work);

[[nodiscard]] ResultRow run_enqueue_single(const BenchOptions& options);
[[nodiscard]] ResultRow run_enqueue_bulk(const BenchOptions& options);
[[nodiscard]] ResultRow run_process(const BenchOptions& options);
[[nodiscard]] ResultRow run_latency(const BenchOptions& options);

}  // namespace errand::bench
