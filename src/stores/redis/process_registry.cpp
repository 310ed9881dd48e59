#include "redis/process_registry.hpp"

#include "kit/store_support.hpp"

#include <errand/json.hpp>

#include <chrono>
#include <fmt/format.h>

namespace errand::redis {
namespace {

constexpr std::string_view process_ttl = "60";               // seconds, as Sidekiq
constexpr std::string_view stats_ttl = "157680000";          // five years, as Sidekiq
constexpr std::string_view busy_key_before_6_5 = ":workers";  // read by Sidekiq ≤ 6.4
constexpr std::string_view busy_key_from_6_5 = ":work";       // read by Sidekiq ≥ 6.5

/// The busy-jobs hash names a Sidekiq version reads. "6.x" covers 6.4 and 6.5, so both.
std::vector<std::string_view> busy_suffixes(SidekiqVersion version) {
  if (version == SidekiqVersion::v6) return {busy_key_before_6_5, busy_key_from_6_5};
  return {busy_key_from_6_5};
}

/// A busy entry as Sidekiq's Processor writes it: the payload embedded as a string.
std::string busy_entry(const BusyJob& job) {
  json::object entry;
  entry.emplace("queue", job.queue);
  entry.emplace("payload", job.payload);
  entry.emplace("run_at", std::chrono::duration_cast<std::chrono::seconds>(job.run_at.time_since_epoch()).count());
  return to_json(entry);
}

}  // namespace

ProcessBeatResult ProcessRegistry::beat(const ProcessBeatParams& p) {
  const TimePoint now = Clock::now();
  const std::string date = detail::utc_date(now);
  const std::string processed = std::to_string(p.processed);
  const std::string failed = std::to_string(p.failed);
  const std::string processed_key = keys_.stat("processed");
  const std::string processed_daily = keys_.stat("processed", date);
  const std::string failed_key = keys_.stat("failed");
  const std::string failed_daily = keys_.stat("failed", date);

  // Transaction A: stats counters and the busy jobs.
  Commands commands;
  commands.add({"MULTI"});
  if (p.processed > 0) {
    commands.add({"INCRBY", processed_key, processed});
    commands.add({"INCRBY", processed_daily, processed});
    commands.add({"EXPIRE", processed_daily, stats_ttl});
  }
  if (p.failed > 0) {
    commands.add({"INCRBY", failed_key, failed});
    commands.add({"INCRBY", failed_daily, failed});
    commands.add({"EXPIRE", failed_daily, stats_ttl});
  }
  std::vector<std::string> entries;
  entries.reserve(p.busy.size());
  for (const BusyJob& job : p.busy) entries.push_back(busy_entry(job));
  for (const std::string_view suffix : busy_suffixes(version_)) {
    const std::string key = keys_.busy(p.identity, suffix);
    commands.add({"UNLINK", key});
    if (entries.empty()) continue;
    std::vector<std::string_view> hset{"HSET", key};
    for (std::size_t i = 0; i < entries.size(); ++i) {
      hset.push_back(p.busy[i].thread_id);
      hset.push_back(entries[i]);
    }
    commands.add(hset);
    commands.add({"EXPIRE", key, process_ttl});
  }
  commands.add({"EXEC"});

  // Transaction B: liveness, and one pending signal.
  const std::string processes = keys_.processes();
  const std::string process = keys_.process(p.identity);
  const std::string signals = keys_.signals(p.identity);
  const std::string busy = std::to_string(p.busy.size());
  const std::string beat = format_double(epoch_seconds(now));
  const std::string rss = std::to_string(p.rss_kb);
  const std::string owners = keys_.in_progress_owners();
  const std::string alive = keys_.alive(p.identity);
  const std::string alive_ttl = std::to_string(p.liveness_ttl.count());

  return pool_.with([&](Connection& c) {
    // rtt_us: the round trip of a PING, as Sidekiq measures it.
    const auto started = std::chrono::steady_clock::now();
    c.run({"PING"});
    const std::string rtt = std::to_string(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
    Commands all = commands;
    all.add({"MULTI"});
    all.add({"SADD", processes, p.identity});
    all.add({"EXISTS", process});
    all.add({"HSET", process, "info", p.info_json, "busy", busy, "beat", beat, "rtt_us", rtt, "quiet",
             p.quiet ? "true" : "false", "rss", rss});
    all.add({"EXPIRE", process, process_ttl});
    if (reliable_fetch_) {
      all.add({"SADD", owners, p.identity});
      all.add({"SET", alive, "1", "PX", alive_ttl});
    }
    all.add({"RPOP", signals});  // last: its reply is read below
    all.add({"EXEC"});
    const std::vector<Reply> replies = c.execute(all);
    expect_all_ok(replies, "heartbeat");
    ProcessBeatResult result;
    const Reply& exec = replies.back();
    if (exec.is_array() && !exec.elements().empty() && exec.elements().back().type() == Reply::Type::string) {
      result.signals.push_back(exec.elements().back().text());
    }
    return result;
  });
}

void ProcessRegistry::stop(std::string_view identity) {
  const std::string processes = keys_.processes();
  Commands commands;
  commands.add({"SREM", processes, identity});
  for (const std::string_view suffix : busy_suffixes(version_)) {
    const std::string key = keys_.busy(identity, suffix);
    commands.add({"UNLINK", key});
  }
  pool_.with([&](Connection& c) {
    expect_all_ok(c.execute(commands), "removing the process from `processes`");
  });
}

std::int64_t ProcessRegistry::count() {
  const std::string key = keys_.processes();
  return std::max<std::int64_t>(1, pool_.with([&](Connection& c) { return c.run({"SCARD", key}).as_integer(); }));
}

StoreStats ProcessRegistry::stats() {
  const std::string processed = keys_.stat("processed");
  const std::string failed = keys_.stat("failed");
  const Reply reply = pool_.with([&](Connection& c) { return c.run({"MGET", processed, failed}); });
  const auto number = [](const Reply& r) { return r.is_nil() ? 0 : std::stoll(r.text()); };
  return {number(reply.elements().at(0)), number(reply.elements().at(1))};
}

}  // namespace errand::redis
