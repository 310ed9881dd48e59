// The Lua scripts errand runs in Redis. Each is atomic, so several errand and Ruby
// Sidekiq processes can share the same keys safely.
#pragma once

#include <string_view>

namespace errand::redis::scripts {

// Lua functions shared by the scripts that move a job to "its" queue: the payload's
// "queue" field, or "default" when absent or unreadable. Only read: the payload's bytes
// are pushed as they are (re-encoding in Lua would reorder keys and round floats).
// give_back puts a job at the front of its queue (the next to run); prefix = key prefix.
#define ERRAND_LUA_QUEUE_OF                                                                            \
  "local function queue_of(job)\n"                                                                     \
  "  local ok, decoded = pcall(cjson.decode, job)\n"                                                   \
  "  if ok and type(decoded) == 'table' and type(decoded['queue']) == 'string'\n"                      \
  "     and decoded['queue'] ~= '' then return decoded['queue'] end\n"                                 \
  "  return 'default'\n"                                                                               \
  "end\n"                                                                                              \
  "local function give_back(prefix, job)\n"                                                            \
  "  local queue = queue_of(job)\n"                                                                    \
  "  redis.call('SADD', prefix .. 'queues', queue)\n"                                                  \
  "  redis.call('RPUSH', prefix .. 'queue:' .. queue, job)\n"                                          \
  "end\n"

/// A batch of jobs, all or nothing (Client::push_bulk): Sidekiq's writes, SADD of the
/// queues to KEYS[1], one LPUSH per queue KEYS[3..], and ZADD of the scheduled jobs to
/// KEYS[2]. Redis has no rollback, so every key's type is checked before the first write:
/// a key of another type refuses the whole batch, naming the key. (Out of memory refuses
/// the first write, so nothing either.)
/// ARGV: Q (queues), S (scheduled jobs), the Q queue names, the Q counts of their jobs,
/// each queue's payloads in order, then S pairs of score and payload. Returns how many
/// jobs it wrote.
inline constexpr std::string_view push_batch = R"lua(
local q, s = tonumber(ARGV[1]), tonumber(ARGV[2])
local function misfit(key, want)
  local found = redis.call('TYPE', key)['ok']
  if found ~= 'none' and found ~= want then
    return redis.error_reply('WRONGTYPE ' .. key .. ' holds a ' .. found .. ', not a ' .. want ..
      ': none of this batch was enqueued; delete or rename that key')
  end
end
local refusal = (q > 0 and misfit(KEYS[1], 'set')) or (s > 0 and misfit(KEYS[2], 'zset'))
if refusal then return refusal end
for i = 1, q do
  refusal = misfit(KEYS[2 + i], 'list')
  if refusal then return refusal end
end
-- unpack() has a limit on its results: arguments go in slices of 1,000.
local function in_slices(command, key, first, last)
  while first <= last do
    local slice_end = math.min(first + 999, last)
    redis.call(command, key, unpack(ARGV, first, slice_end))
    first = slice_end + 1
  end
end
if q > 0 then in_slices('SADD', KEYS[1], 3, q + 2) end
local at = 2 * q + 3
for i = 1, q do
  local n = tonumber(ARGV[q + 2 + i])
  in_slices('LPUSH', KEYS[2 + i], at, at + n - 1)
  at = at + n
end
if s > 0 then in_slices('ZADD', KEYS[2], at, at + 2 * s - 1) end
return at - (2 * q + 3) + s
)lua";

/// Pops up to ARGV[1] jobs from the queue lists KEYS[2..], in order (RPOP: oldest
/// first). With reliable fetch (ARGV[2] == "1") each job is also pushed onto the
/// owner's in-progress list KEYS[1], in the same atomic step.
/// Returns a flat array: queue index (1-based), payload, queue index, payload, ...
inline constexpr std::string_view fetch = R"lua(
local max = tonumber(ARGV[1])
local reliable = ARGV[2] == '1'
local out = {}
local taken = 0
for i = 2, #KEYS do
  if taken >= max then break end
  local jobs = redis.call('RPOP', KEYS[i], max - taken)
  if jobs then
    for _, job in ipairs(jobs) do
      if reliable then redis.call('LPUSH', KEYS[1], job) end
      out[#out + 1] = i - 1
      out[#out + 1] = job
    end
    taken = taken + #jobs
  end
end
return out
)lua";

/// Reliable fetch's rescue: for every owner in the registry KEYS[1] (but the caller,
/// ARGV[2]) whose liveness key has expired, pushes each job of its in-progress list back
/// onto the front of its queue, then forgets the owner. ARGV[1] = the key prefix.
/// Returns how many jobs were given back.
inline constexpr std::string_view rescue_orphans = ERRAND_LUA_QUEUE_OF R"lua(
local rescued = 0
for _, owner in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if owner ~= ARGV[2] and redis.call('EXISTS', ARGV[1] .. 'errand:alive:' .. owner) == 0 then
    local wip = ARGV[1] .. 'errand:wip:' .. owner
    local job = redis.call('RPOP', wip)
    while job do
      give_back(ARGV[1], job)
      rescued = rescued + 1
      job = redis.call('RPOP', wip)
    end
    redis.call('SREM', KEYS[1], owner)
  end
end
return rescued
)lua";

/// Gives back jobs of the owner's own in-progress list KEYS[1]: each payload in ARGV[2..]
/// that is still in the list leaves it and goes to the front of its queue.
/// ARGV[1] = the key prefix. Returns how many jobs were given back.
inline constexpr std::string_view reclaim = ERRAND_LUA_QUEUE_OF R"lua(
local reclaimed = 0
for i = 2, #ARGV do
  if redis.call('LREM', KEYS[1], -1, ARGV[i]) == 1 then
    give_back(ARGV[1], ARGV[i])
    reclaimed = reclaimed + 1
  end
end
return reclaimed
)lua";

/// A stopping owner: its liveness key goes, and it leaves the registry KEYS[1] unless
/// its in-progress list KEYS[2] still holds jobs (they are then rescued at once).
/// KEYS[3] = its liveness key; ARGV[1] = the owner.
inline constexpr std::string_view release_owner = R"lua(
redis.call('DEL', KEYS[3])
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[1], ARGV[1]) end
return 0
)lua";

/// Sidekiq's poller, safer: moves members of the sorted set KEYS[1] (retry or schedule)
/// to their queues, each removal and push in one atomic step (Ruby's poller can lose a
/// job between the two), and only if the member is still in the set and still due at
/// ARGV[2] (another process may have moved or rescheduled it since it was read).
/// KEYS[2] = the `queues` set; ARGV[1] = the key prefix; then triples: the member, the
/// payload to push (with its new enqueued_at), its queue. Returns how many jobs moved.
inline constexpr std::string_view enqueue_due_members = R"lua(
local now = tonumber(ARGV[2])
local moved = 0
for i = 3, #ARGV, 3 do
  local at = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if at and tonumber(at) <= now and redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('SADD', KEYS[2], ARGV[i + 2])
    redis.call('LPUSH', ARGV[1] .. 'queue:' .. ARGV[i + 2], ARGV[i + 1])
    moved = moved + 1
  end
end
return moved
)lua";

/// Moves one member ARGV[1] of the sorted set KEYS[1] to the back of queue KEYS[2] as
/// ARGV[2] (SADD ARGV[3] to the `queues` set KEYS[3]), only if it is still in the set.
/// Returns 1 if moved.
inline constexpr std::string_view enqueue_member = R"lua(
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[2])
return 1
)lua";

/// Sidekiq's Queue#clear: deletes the queue KEYS[1] and removes ARGV[1] from the
/// `queues` set KEYS[2]. Returns how many jobs it held.
inline constexpr std::string_view clear_queue = R"lua(
local n = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return n
)lua";

}  // namespace errand::redis::scripts
