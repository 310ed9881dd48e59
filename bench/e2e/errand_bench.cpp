// errand_bench: one end-to-end measurement of errand on a real store, appended to the
// benchmark CSV as one row. bench/run.sh runs it once per store × scenario × concurrency,
// each time in a fresh process, so that RSS and CPU time are the measurement's own.
//
//   errand_bench --url redis://127.0.0.1:16700/0 --scenario process --jobs 100000 --concurrency 25 --csv r.csv
//
// See docs/benchmarks.md for what each scenario measures.
#include "bench_options.hpp"
#include "scenarios.hpp"
#include "store_admin.hpp"

#include <exception>
#include <iostream>

namespace {

errand::bench::ResultRow run(const errand::bench::BenchOptions& options) {
  using errand::bench::Scenario;
  switch (options.scenario) {
    case Scenario::enqueue_single: return errand::bench::run_enqueue_single(options);
    case Scenario::enqueue_bulk: return errand::bench::run_enqueue_bulk(options);
    case Scenario::process: return errand::bench::run_process(options);
    case Scenario::latency_idle:
    case Scenario::latency_loaded: return errand::bench::run_latency(options);
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  errand::bench::BenchOptions options;
  try {
    options = errand::bench::parse_options(argc, argv);
  } catch (const errand::bench::UsageError& e) {
    const bool help = argc > 1 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h");
    (help ? std::cout : std::cerr) << e.what() << (help ? "" : "\n");
    return help ? 0 : 2;
  }
  try {
    const auto kind = errand::bench::store_kind(options.url);
    if (options.reset) errand::bench::reset_store(options.url);
    errand::bench::ResultRow row = run(options);
    row.store = std::string(errand::bench::store_kind_name(kind));
    row.scenario = std::string(errand::bench::scenario_name(options.scenario));
    row.concurrency = options.concurrency;
    errand::bench::append_row(options.csv, row);
    std::cerr << "errand_bench: " << errand::bench::format_row(row) << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "errand_bench: " << errand::bench::scenario_name(options.scenario) << " on " << options.url
              << " (concurrency " << options.concurrency << ", " << options.jobs << " jobs) failed: " << e.what() << '\n';
    return 1;
  }
}
