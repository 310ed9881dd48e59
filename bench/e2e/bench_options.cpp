#include "bench_options.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace errand::bench {

namespace {

constexpr std::array<std::pair<std::string_view, Scenario>, 5> scenarios{{
    {"enqueue_single", Scenario::enqueue_single},
    {"enqueue_bulk", Scenario::enqueue_bulk},
    {"process", Scenario::process},
    {"latency_idle", Scenario::latency_idle},
    {"latency_loaded", Scenario::latency_loaded},
}};

Scenario parse_scenario(std::string_view text) {
  for (const auto& [name, scenario] : scenarios) {
    if (name == text) return scenario;
  }
  throw UsageError("errand_bench: unknown scenario \"" + std::string(text) +
                   "\"; use enqueue_single, enqueue_bulk, process, latency_idle or latency_loaded");
}

template <class Int>
Int parse_number(std::string_view flag, std::string_view text, Int min) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min) {
    throw UsageError("errand_bench: " + std::string(flag) + " needs a whole number >= " + std::to_string(min) +
                     ", got \"" + std::string(text) + "\"");
  }
  return value;
}

}  // namespace

std::string_view scenario_name(Scenario scenario) noexcept {
  for (const auto& [name, s] : scenarios) {
    if (s == scenario) return name;
  }
  return "?";
}

BenchOptions parse_options(int argc, char** argv) {
  BenchOptions o;
  bool have_scenario = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--no-reset") {
      o.reset = false;
      continue;
    }
    if (flag == "-h" || flag == "--help") throw UsageError(usage());
    if (i + 1 >= argc) throw UsageError("errand_bench: " + std::string(flag) + " needs a value (see --help)");
    const std::string_view value = argv[++i];
    if (flag == "--url") {
      o.url = value;
    } else if (flag == "--scenario") {
      o.scenario = parse_scenario(value);
      have_scenario = true;
    } else if (flag == "--jobs") {
      o.jobs = parse_number<std::int64_t>(flag, value, 1);
    } else if (flag == "--concurrency") {
      o.concurrency = parse_number<int>(flag, value, 1);
    } else if (flag == "--csv") {
      o.csv = value;
    } else if (flag == "--bulk-size") {
      o.bulk_size = parse_number<std::size_t>(flag, value, 1);
    } else if (flag == "--samples") {
      o.samples = value;
    } else if (flag == "--backlog") {
      o.backlog = parse_number<std::int64_t>(flag, value, 1);
    } else if (flag == "--gap-min-ms") {
      o.gap_min_ms = parse_number<int>(flag, value, 0);
    } else if (flag == "--gap-max-ms") {
      o.gap_max_ms = parse_number<int>(flag, value, 0);
    } else if (flag == "--warmup") {
      o.warmup = parse_number<int>(flag, value, 0);
    } else if (flag == "--pool") {
      o.pool = parse_number<std::size_t>(flag, value, 0);
    } else if (flag == "--server-pid") {
      o.server_pid = parse_number<int>(flag, value, 0);
    } else if (flag == "--timeout") {
      o.timeout = std::chrono::seconds(parse_number<int>(flag, value, 1));
    } else if (flag == "--notes") {
      o.notes = value;
    } else {
      throw UsageError("errand_bench: unknown flag " + std::string(flag) + " (see --help)");
    }
  }
  if (o.url.empty()) throw UsageError("errand_bench: --url is required (see --help)");
  if (!have_scenario) throw UsageError("errand_bench: --scenario is required (see --help)");
  if (o.gap_max_ms < o.gap_min_ms) throw UsageError("errand_bench: --gap-max-ms must be >= --gap-min-ms");
  for (const char c : o.notes) {
    if (c == ',' || c == '"' || c == '\n') throw UsageError("errand_bench: --notes must not hold commas, quotes or newlines");
  }
  return o;
}

std::string usage() {
  return R"(errand_bench: one end-to-end measurement of errand on a real store, as one CSV row.

  errand_bench --url URL --scenario S [options]

  --url URL            redis://127.0.0.1:16700/0, postgresql://errand@127.0.0.1:16732/errand_bench,
                       sqlite:///tmp/bench.db
  --scenario S         enqueue_single | enqueue_bulk | process | latency_idle | latency_loaded
  --jobs N             jobs to enqueue or process; markers for latency_* (default 1000)
  --concurrency C      processor threads; enqueue threads for enqueue_* (default 1)
  --csv FILE           append the row here, with the header first if FILE is new (default: stdout)
  --bulk-size N        jobs per push_bulk (default 1000)
  --samples FILE       latency_*: write each marker's latency in ms, one per line
  --backlog N          latency_loaded: no-op jobs kept waiting behind the markers (default 20000)
  --gap-min-ms, --gap-max-ms
                       latency_*: pause between markers, uniform in [min, max] (default 5, 20)
  --warmup N           latency_*: markers run first and not counted (default 10)
  --pool N             the store's connection pool size (default: the store's own default)
  --server-pid PID     the store server's PID: its CPU time (with its children) goes in the notes
  --timeout SECONDS    give up with exit status 1 after this long (default 600)
  --notes TEXT         added to the row's notes (no commas)
  --no-reset           do not empty the store first (FLUSHDB, DROP SCHEMA pgmq/errand, delete the file)
)";
}

}  // namespace errand::bench
