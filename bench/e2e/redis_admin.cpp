#include "store_admins.hpp"

#include "redis/connection.hpp"

#include <errand/redis.hpp>

#include <sstream>

namespace errand::bench {
namespace {

/// A field `key:value` of an INFO reply, or nullopt.
std::optional<std::int64_t> info_field(const std::string& info, std::string_view key) {
  const std::string needle = "\n" + std::string(key) + ":";
  const auto at = ("\n" + info).find(needle);
  if (at == std::string::npos) return std::nullopt;
  return std::stoll(info.substr(at + needle.size() - 1));
}

/// The sum of `calls=` over every `cmdstat_*` line, less the INFO calls themselves.
std::int64_t command_calls(const std::string& info) {
  std::int64_t total = 0;
  std::istringstream lines(info);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("cmdstat_", 0) != 0 || line.rfind("cmdstat_info:", 0) == 0) continue;
    const auto at = line.find("calls=");
    if (at != std::string::npos) total += std::stoll(line.substr(at + 6));
  }
  return total;
}

std::shared_ptr<Store> open(std::string_view url, std::size_t pool) { return open_with(url, pool, &connect_redis); }

void reset(std::string_view url) {
  redis::Connection connection(RedisOptions::from_url(url));
  (void)connection.run({"FLUSHDB"});
}

ServerCounters counters(std::string_view url) {
  redis::Connection connection(RedisOptions::from_url(url));
  const redis::Reply reply = connection.run({"INFO", "stats", "commandstats"});
  const std::string& info = reply.text();
  ServerCounters result;
  result.commands = command_calls(info);
  // This INFO request is counted in the reads and input bytes read now; its reply is
  // counted in the output bytes only later: leave it out of the reading after.
  if (const auto reads = info_field(info, "total_reads_processed")) result.round_trips = *reads - 1;
  const auto in = info_field(info, "total_net_input_bytes");
  const auto out = info_field(info, "total_net_output_bytes");
  if (in && out) result.bytes = *in + *out - static_cast<std::int64_t>(info.size());
  return result;
}

}  // namespace

const StoreSideDoor& redis_admin() {
  static constexpr StoreSideDoor admin{open, reset, counters};
  return admin;
}

}  // namespace errand::bench
