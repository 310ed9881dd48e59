// Schedules: parsing a cron line, and next_after / last_at_or_before for a few lines in
// UTC and in Europe/Berlin (what a periodic poller computes for each definition it holds).
#include <errand/schedule.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <chrono>

namespace schedule_bench {

struct Line {
  const char* text;
  const char* zone;
};

// The 29th of February is the longest search: up to eight years ahead.
constexpr std::array<Line, 6> lines{{{"*/15 * * * *", "UTC"},
                                     {"0 9-17 * * MON-FRI", "UTC"},
                                     {"30 2 * * *", "Europe/Berlin"},
                                     {"*/10 * * * * *", "UTC"},
                                     {"0 0 29 2 *", "UTC"},
                                     {"every 10m", "UTC"}}};

const errand::TimePoint start = errand::TimePoint(std::chrono::sys_days{std::chrono::year{2026} / 3 / 1});

void BM_ScheduleParse(benchmark::State& state) {
  const Line& line = lines.at(static_cast<std::size_t>(state.range(0)));
  state.SetLabel(std::string(line.text) + " " + line.zone);
  for (auto _ : state) benchmark::DoNotOptimize(errand::Schedule::parse(line.text, line.zone));
}
BENCHMARK(BM_ScheduleParse)->DenseRange(0, lines.size() - 1);

/// Walks the ticks forward from 2026-03-01 (through Berlin's March change of clocks).
void BM_ScheduleNextAfter(benchmark::State& state) {
  const Line& line = lines.at(static_cast<std::size_t>(state.range(0)));
  state.SetLabel(std::string(line.text) + " " + line.zone);
  const auto schedule = errand::Schedule::parse(line.text, line.zone);
  errand::TimePoint t = start;
  int steps = 0;
  for (auto _ : state) {
    t = schedule.next_after(t);
    if (++steps == 50) {  // 50 leap days stay below the clock's end (2262)
      t = start;
      steps = 0;
    }
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ScheduleNextAfter)->DenseRange(0, lines.size() - 1);

void BM_ScheduleLastAtOrBefore(benchmark::State& state) {
  const Line& line = lines.at(static_cast<std::size_t>(state.range(0)));
  state.SetLabel(std::string(line.text) + " " + line.zone);
  const auto schedule = errand::Schedule::parse(line.text, line.zone);
  errand::TimePoint t = start;
  for (auto _ : state) {
    t += std::chrono::seconds(37);
    benchmark::DoNotOptimize(schedule.last_at_or_before(t));
  }
}
BENCHMARK(BM_ScheduleLastAtOrBefore)->DenseRange(0, lines.size() - 1);

}  // namespace schedule_bench
