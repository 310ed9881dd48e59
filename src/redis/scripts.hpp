// The Lua scripts errand runs in Redis. Each is atomic, so several errand and Ruby
// Sidekiq processes can share the same keys safely.
#pragma once

#include <string_view>

namespace errand::redis::scripts {

/// Pops up to ARGV[1] jobs from the lists in KEYS, in order (RPOP: oldest first).
/// Returns a flat array: key index (1-based), payload, key index, payload, ...
inline constexpr std::string_view fetch = R"lua(
local max = tonumber(ARGV[1])
local out = {}
local taken = 0
for i = 1, #KEYS do
  if taken >= max then break end
  local jobs = redis.call('RPOP', KEYS[i], max - taken)
  if jobs then
    for _, job in ipairs(jobs) do
      out[#out + 1] = i
      out[#out + 1] = job
    end
    taken = taken + #jobs
  end
end
return out
)lua";

/// Sidekiq's poller, safer: moves up to ARGV[2] jobs whose score ≤ ARGV[1] from the
/// retry set (KEYS[1]) then the schedule (KEYS[2]) onto their queues, each removal and
/// push in the same atomic step (Ruby's poller can lose a job between the two).
/// KEYS[3] = the `queues` set; ARGV[3] = the key prefix. The payload is pushed as it is;
/// its queue is read from its "queue" field ("default" when absent or unreadable).
/// Returns how many jobs moved.
inline constexpr std::string_view schedule_due = R"lua(
local max = tonumber(ARGV[2])
local moved = 0
for s = 1, 2 do
  if moved >= max then break end
  local due = redis.call('ZRANGEBYSCORE', KEYS[s], '-inf', ARGV[1], 'LIMIT', 0, max - moved)
  for _, job in ipairs(due) do
    if redis.call('ZREM', KEYS[s], job) == 1 then
      local queue = 'default'
      local ok, decoded = pcall(cjson.decode, job)
      if ok and type(decoded) == 'table' and type(decoded['queue']) == 'string' and decoded['queue'] ~= '' then
        queue = decoded['queue']
      end
      redis.call('SADD', KEYS[3], queue)
      redis.call('LPUSH', ARGV[3] .. 'queue:' .. queue, job)
      moved = moved + 1
    end
  end
end
return moved
)lua";

}  // namespace errand::redis::scripts
