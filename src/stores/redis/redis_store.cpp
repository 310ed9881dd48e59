// The Redis store: Sidekiq's commands and keys (see docs/sidekiq-compat.md).
#include <errand/error.hpp>
#include <errand/redis.hpp>

#include "kit/store_support.hpp"
#include "redis/keys.hpp"
#include "redis/options_check.hpp"
#include "redis/pool.hpp"
#include "redis/process_registry.hpp"
#include "redis/queue_fetcher.hpp"
#include "redis/script_runner.hpp"
#include "redis/scripts.hpp"
#include "redis/set_admin.hpp"
#include "redis/tls_context.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <mutex>
#include <stop_token>

namespace errand {
namespace {

using redis::Commands;
using redis::Connection;
using redis::Reply;

std::string score(TimePoint t) { return format_double(epoch_seconds(t)); }

/// A sorted-set score as Redis prints it ("1700000000.5", "inf", "-inf").
double parse_score(std::string_view text) {
  if (text == "inf" || text == "+inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc()) throw StoreError(fmt::format("errand: redis returned a score that is not a number: {}", text));
  return value;
}

class RedisStore final : public Store, public HeldJobs, public StoreAdmin, public FetchConnections {
 public:
  explicit RedisStore(const RedisOptions& options)
      : reliable_(options.reliable_fetch),
        version_(options.sidekiq_version),
        keys_(options.key_namespace),
        tls_(options.tls.enabled ? std::make_shared<redis::TlsContext>(options.tls) : nullptr),
        pool_(options, options.pool_size, tls_),
        fetch_pool_(options, options.fetch_pool_size, tls_),
        registry_(keys_, pool_, reliable_, version_),
        fetcher_(keys_, fetch_pool_, pool_, scripts_, reliable_),
        admin_(keys_, pool_, scripts_) {
    // Fail now, with a clear message, if Redis is unreachable or refuses us (a TLS server
    // may refuse a client certificate only after the handshake, at the first command).
    pool_.with([](Connection& c) { (void)c.run({"PING"}); });
  }

  [[nodiscard]] std::string_view name() const noexcept override { return "redis"; }
  [[nodiscard]] SidekiqVersion sidekiq_version() const noexcept override { return version_; }
  [[nodiscard]] StoreCapabilities capabilities() const noexcept override {
    return {.blocking_fetch = true, .reliable_fetch = reliable_};
  }
  [[nodiscard]] HeldJobs* held_jobs() noexcept override { return reliable_ ? this : nullptr; }
  [[nodiscard]] StoreAdmin* admin() noexcept override { return this; }
  [[nodiscard]] FetchConnections* fetch_connections() noexcept override { return this; }

  void job_insert_many(const JobInsertManyParams& params) override {
    // Sidekiq's push: SADD queues, one variadic LPUSH per queue, ZADD schedule for
    // future jobs. A batch for one key is one command, atomic by itself; a batch for
    // several is one script that writes all or nothing (scripts::push_batch).
    if (params.jobs.empty()) return;
    std::vector<QueueJobs> queues;  // in the order they first appear
    std::map<std::string_view, std::size_t, std::less<>> queue_index;
    std::vector<std::pair<std::string, std::string_view>> scheduled;
    for (const auto& job : params.jobs) {
      if (job.run_at) {
        scheduled.emplace_back(score(*job.run_at), job.payload);
        continue;
      }
      auto [it, added] = queue_index.try_emplace(job.queue, queues.size());
      if (added) queues.push_back({job.queue, {}});
      queues[it->second].payloads.push_back(job.payload);
    }
    if (queues.size() + (scheduled.empty() ? 0 : 1) == 1) {
      insert_into_one_key(queues.empty() ? nullptr : &queues.front(), scheduled);
      return;
    }
    std::vector<std::string> keys{keys_.queues(), keys_.schedule()};
    std::vector<std::string> job_counts;
    for (const QueueJobs& queue : queues) {
      keys.push_back(keys_.queue(queue.name));
      job_counts.push_back(std::to_string(queue.payloads.size()));
    }
    const std::string queue_count = std::to_string(queues.size());
    const std::string scheduled_count = std::to_string(scheduled.size());
    std::vector<std::string_view> args{queue_count, scheduled_count};
    args.reserve(2 + 2 * queues.size() + params.jobs.size() + scheduled.size());
    for (const QueueJobs& queue : queues) args.push_back(queue.name);
    args.insert(args.end(), job_counts.begin(), job_counts.end());
    for (const QueueJobs& queue : queues) args.insert(args.end(), queue.payloads.begin(), queue.payloads.end());
    for (const auto& [at, payload] : scheduled) {
      args.push_back(at);
      args.push_back(payload);
    }
    const std::vector<std::string_view> key_views(keys.begin(), keys.end());
    pool_.with([&](Connection& c) { (void)scripts_.run(c, redis::scripts::push_batch, key_views, args); });
  }

  std::vector<FetchedJob> job_fetch(const JobFetchParams& params) override { return fetcher_.fetch(params); }
  void reserve_fetch_connections(std::size_t queues) override { fetcher_.reserve(queues); }
  void release_fetch_connections(std::size_t queues) noexcept override { fetcher_.release(queues); }

  void job_complete(const JobCompleteParams& params) override {
    // Basic fetch (Sidekiq's): BRPOP already removed the job; nothing to acknowledge.
    if (!reliable_ || params.jobs.empty()) return;
    const std::string in_progress = keys_.in_progress(params.owner);
    Commands commands;
    for (const auto& job : params.jobs) commands.add({"LREM", in_progress, "-1", job.payload});
    pool_.with([&](Connection& c) { redis::expect_all_ok(c.execute(commands), "acknowledging a job"); });
  }

  void job_give_back(const JobGiveBackParams& params) override {
    // RPUSH onto the tail, the end BRPOP takes from, first job last so it runs first.
    std::map<std::string_view, std::vector<std::string_view>, std::less<>> by_queue;
    for (auto it = params.jobs.rbegin(); it != params.jobs.rend(); ++it) by_queue[it->queue].push_back(it->payload);
    if (by_queue.empty()) return;
    Commands commands;
    commands.add({"MULTI"});
    for (const auto& [queue, payloads] : by_queue) {
      const std::string key = keys_.queue(queue);
      std::vector<std::string_view> rpush{"RPUSH", key};
      rpush.insert(rpush.end(), payloads.begin(), payloads.end());
      commands.add(rpush);
    }
    const std::string in_progress = keys_.in_progress(params.owner);
    if (reliable_) {
      for (const auto& job : params.jobs) commands.add({"LREM", in_progress, "-1", job.payload});
    }
    commands.add({"EXEC"});
    pool_.with([&](Connection& c) { redis::expect_all_ok(c.execute(commands), "giving jobs back to their queues"); });
  }

  bool job_complete_given_back(const JobCompleteGivenBackParams& params) override {
    // The job was given back verbatim onto the tail BRPOP takes from: LREM from there.
    const std::string key = keys_.queue(params.job.queue);
    return pool_.with([&](Connection& c) { return c.run({"LREM", key, "-1", params.job.payload}).as_integer(); }) == 1;
  }

  void job_retry(const JobRetryParams& params) override {
    const std::string key = keys_.retry();
    const std::string at = score(params.retry_at);
    const std::string in_progress = keys_.in_progress(params.owner);
    Commands commands;
    commands.add({"MULTI"});
    commands.add({"ZADD", key, at, params.payload});
    if (reliable_) commands.add({"LREM", in_progress, "-1", params.fetched.payload});
    commands.add({"EXEC"});
    pool_.with([&](Connection& c) { redis::expect_all_ok(c.execute(commands), "ZADD retry"); });
  }

  void job_kill(const JobKillParams& params) override {
    // Sidekiq's morgue transaction, trims included.
    const std::string key = keys_.dead();
    const std::string now = score(params.died_at);
    const std::string oldest = score(params.died_at - params.limits.max_age);
    // ZREMRANGEBYRANK 0 -max keeps the newest max - 1; for a max of 0, Sidekiq's "-0"
    // would remove only the oldest entry: -1 keeps none, as on the other stores.
    const std::string rank = fmt::format("-{}", std::max<std::size_t>(params.limits.max_jobs, 1));
    Commands commands;
    commands.add({"MULTI"});
    commands.add({"ZADD", key, now, params.payload});
    commands.add({"ZREMRANGEBYSCORE", key, "-inf", oldest});
    commands.add({"ZREMRANGEBYRANK", key, "0", rank});
    const std::string in_progress = keys_.in_progress(params.owner);
    if (reliable_) commands.add({"LREM", in_progress, "-1", params.fetched.payload});
    commands.add({"EXEC"});
    pool_.with([&](Connection& c) { redis::expect_all_ok(c.execute(commands), "moving a job to the dead set"); });
  }

  std::size_t job_schedule_due(const JobScheduleDueParams& params) override {
    std::size_t moved = 0;
    for (const std::string& set : {keys_.retry(), keys_.schedule()}) {
      while (moved < params.max) {
        const std::size_t want = std::min(due_page, params.max - moved);
        Reply due = pool_.with([&](Connection& c) {
          return c.run({"ZRANGEBYSCORE", set, "-inf", score(params.now), "LIMIT", "0", std::to_string(want)});
        });
        const std::size_t page_moved = move_due(set, due.elements(), params.now);
        moved += page_moved;
        if (due.elements().size() < want || page_moved == 0) break;  // no more due (or all taken by others)
      }
    }
    return moved;
  }

  std::size_t job_give_back_orphaned(const JobGiveBackOrphanedParams& params) override {
    const std::vector<std::string> keys{keys_.in_progress_owners()};
    const std::vector<std::string> args{keys_.prefix(), params.rescuer};
    return pool_.with([&](Connection& c) {
      return static_cast<std::size_t>(scripts_.run(c, redis::scripts::rescue_orphans, keys, args).as_integer());
    });
  }

  std::vector<std::string> job_list_held(const JobListHeldParams& params) override {
    const std::string key = keys_.in_progress(params.owner);
    Reply reply = pool_.with([&](Connection& c) { return c.run({"LRANGE", key, "0", "-1"}); });
    std::vector<std::string> payloads;
    for (auto& element : reply.elements()) payloads.push_back(std::move(element.text()));
    return payloads;
  }

  std::size_t job_give_back_stranded(const JobGiveBackStrandedParams& params) override {
    if (params.payloads.empty()) return 0;
    const std::vector<std::string> keys{keys_.in_progress(params.owner)};
    std::vector<std::string> args{keys_.prefix()};
    args.insert(args.end(), params.payloads.begin(), params.payloads.end());
    return pool_.with([&](Connection& c) {
      return static_cast<std::size_t>(scripts_.run(c, redis::scripts::reclaim, keys, args).as_integer());
    });
  }

  ProcessBeatResult process_beat(const ProcessBeatParams& params) override { return registry_.beat(params); }
  void process_stop(const ProcessStopParams& params) override {
    registry_.stop(params.identity);
    if (!reliable_) return;
    const std::vector<std::string> keys{keys_.in_progress_owners(), keys_.in_progress(params.identity),
                                        keys_.alive(params.identity)};
    pool_.with([&](Connection& c) { (void)scripts_.run(c, redis::scripts::release_owner, keys, {params.identity}); });
  }
  std::int64_t process_count() override { return registry_.count(); }
  StoreStats stats() override { return registry_.stats(); }

  std::int64_t queue_size(const QueueSizeParams& params) override {
    const std::string key = keys_.queue(params.queue);
    return pool_.with([&](Connection& c) { return c.run({"LLEN", key}).as_integer(); });
  }

  std::vector<std::string> queue_names() override {
    const std::string key = keys_.queues();
    Reply reply = pool_.with([&](Connection& c) { return c.run({"SMEMBERS", key}); });
    std::vector<std::string> names;
    for (auto& element : reply.elements()) names.push_back(std::move(element.text()));
    std::sort(names.begin(), names.end());
    return names;
  }

  std::vector<SetEntry> set_list(const SetListParams& params) override {
    if (params.limit == 0) return {};
    const std::string key = set_key(params.set);
    const std::string stop = std::to_string(params.limit - 1);
    Reply reply = pool_.with([&](Connection& c) { return c.run({"ZRANGE", key, "0", stop, "WITHSCORES"}); });
    std::vector<SetEntry> entries;
    auto& items = reply.elements();
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
      entries.push_back({from_epoch_seconds(parse_score(items[i + 1].text())), std::move(items[i].text())});
    }
    return entries;
  }

  std::int64_t set_size(const SetSizeParams& params) override {
    const std::string key = set_key(params.set);
    return pool_.with([&](Connection& c) { return c.run({"ZCARD", key}).as_integer(); });
  }

  std::size_t set_enqueue_now(const SetChangeParams& params) override {
    return admin_.enqueue_now(set_key(params.set), params.which);
  }
  std::size_t set_delete(const SetChangeParams& params) override {
    return admin_.remove(set_key(params.set), params.which);
  }
  std::size_t queue_clear(const QueueClearParams& params) override { return admin_.clear_queue(params.queue); }

 private:
  /// One queue's jobs of a batch.
  struct QueueJobs {
    std::string_view name;
    std::vector<std::string_view> payloads;
  };

  /// A batch whose jobs all go to one queue (`queue`), or all to the schedule: that key's one
  /// LPUSH (after SADD queues) or ZADD, as Sidekiq pipelines it; Redis applies or refuses
  /// a single command whole. Only the job's own write decides success: a `queues` key of
  /// another type leaves the queue unlisted (as `errand queues` then reports), not the
  /// job unsent, and saying it failed would invite a second push of a job that is in.
  void insert_into_one_key(const QueueJobs* queue,
                           const std::vector<std::pair<std::string, std::string_view>>& scheduled) {
    Commands commands;
    std::string key;
    if (queue != nullptr) {
      const std::string queues_key = keys_.queues();
      commands.add({"SADD", queues_key, queue->name});
      key = keys_.queue(queue->name);
      std::vector<std::string_view> lpush{"LPUSH", key};
      lpush.insert(lpush.end(), queue->payloads.begin(), queue->payloads.end());
      commands.add(lpush);
    } else {
      key = keys_.schedule();
      std::vector<std::string_view> zadd{"ZADD", key};
      for (const auto& [at, payload] : scheduled) {
        zadd.push_back(at);
        zadd.push_back(payload);
      }
      commands.add(zadd);
    }
    pool_.with([&](Connection& c) { redis::expect_ok(c.execute(commands).back(), "enqueue"); });
  }

  static constexpr std::size_t due_page = 100;             // due members read per round trip
  static constexpr std::size_t due_batch_bytes = 4 << 20;  // payload bytes per script call

  /// Moves `members` of `set` to their queues with enqueued_at set to `now`, in script
  /// calls of at most due_batch_bytes (one big job goes alone). Each job's new payload is
  /// written here, where numbers and key order survive (Lua's cjson would reorder keys
  /// and round floats). Returns how many moved.
  std::size_t move_due(const std::string& set, std::vector<Reply>& members, TimePoint now) {
    const std::vector<std::string> keys{set, keys_.queues()};
    std::size_t moved = 0;
    std::vector<std::string> args;
    std::size_t bytes = 0;
    const auto flush = [&] {
      if (args.size() > 2) {
        moved += pool_.with([&](Connection& c) {
          return static_cast<std::size_t>(scripts_.run(c, redis::scripts::enqueue_due_members, keys, args).as_integer());
        });
      }
      args = {keys_.prefix(), score(now)};
      bytes = 0;
    };
    flush();
    for (auto& member : members) {
      detail::DueJob due = detail::due_job(member.text(), now, version_);
      bytes += member.text().size() + due.payload.size();
      args.push_back(std::move(member.text()));
      args.push_back(std::move(due.payload));
      args.push_back(std::move(due.queue));
      if (bytes >= due_batch_bytes) flush();
    }
    flush();
    return moved;
  }

  [[nodiscard]] std::string set_key(JobSet set) const {
    switch (set) {
      case JobSet::scheduled: return keys_.schedule();
      case JobSet::retry: return keys_.retry();
      case JobSet::dead: return keys_.dead();
    }
    return {};
  }

  bool reliable_;
  SidekiqVersion version_;
  redis::Keys keys_;
  std::shared_ptr<redis::TlsContext> tls_;
  redis::Pool pool_;
  redis::Pool fetch_pool_;
  redis::ScriptRunner scripts_;
  redis::ProcessRegistry registry_;
  redis::QueueFetcher fetcher_;
  redis::SetAdmin admin_;
};

}  // namespace

std::shared_ptr<Store> connect_redis(const RedisOptions& options) {
  redis::check_options(options);
  return std::make_shared<RedisStore>(options);
}

}  // namespace errand
