#include "redis/queue_fetcher.hpp"

#include "redis/scripts.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <stop_token>

namespace errand::redis {
namespace {

std::string seconds_text(std::chrono::milliseconds wait) {
  return format_double(std::chrono::duration<double>(wait).count());
}

/// The connection's id for CLIENT UNBLOCK, or "" when the server refuses CLIENT.
std::string client_id_text(Connection& c) {
  const std::optional<std::int64_t> id = c.client_id();
  return id ? std::to_string(*id) : std::string();
}

}  // namespace

void QueueFetcher::reserve(std::size_t queues) {
  const std::size_t needed = connections_for(queues);
  const std::size_t pool = fetch_pool_.max_size();
  std::lock_guard lock(reserved_mutex_);
  if (reserved_ + needed <= pool) {
    reserved_ += needed;
    return;
  }
  const std::string why =
      reliable_ ? fmt::format("reliable fetch waits on each of the processor's {} queues with a connection of its own",
                              queues)
                : std::string("a waiting fetch holds a connection");
  const std::string others =
      reserved_ == 0 ? std::string()
                     : fmt::format(", of which other processors on this store hold {} while they run", reserved_);
  throw ConfigError(fmt::format(
      "errand: redis: the fetch pool is too small for this processor: {}, and the fetch pool has {} connection{}{}; "
      "raise fetch_pool_size (fetch_pool_size= in the URL, service.sidekiq.redis.fetch-pool.max-connections in the "
      "config) to at least {}, or work fewer queues",
      why, pool, pool == 1 ? "" : "s", others, reserved_ + needed));
}

void QueueFetcher::release(std::size_t queues) noexcept {
  std::lock_guard lock(reserved_mutex_);
  reserved_ -= std::min(reserved_, connections_for(queues));
}

std::vector<FetchedJob> QueueFetcher::fetch(const JobFetchParams& params) {
  if (params.queues.empty() || params.max == 0) return {};
  std::vector<std::string> keys;
  keys.reserve(params.queues.size());
  for (const auto& queue : params.queues) keys.push_back(keys_.queue(queue));
  {
    Pool::Lease lease = fetch_pool_.acquire();
    std::vector<FetchedJob> jobs = take_ready(*lease, params, keys);
    if (!jobs.empty() || params.wait.count() <= 0 || params.stop.stop_requested()) return jobs;
    if (!reliable_) return wait_brpop(*lease, params, keys);
  }
  return wait_blmove(params, keys);
}

std::vector<FetchedJob> QueueFetcher::take_ready(Connection& c, const JobFetchParams& params,
                                                 const std::vector<std::string>& keys) {
  std::vector<std::string> script_keys{keys_.in_progress(params.owner)};
  script_keys.insert(script_keys.end(), keys.begin(), keys.end());
  Reply reply = scripts_.run(c, scripts::fetch, script_keys, {std::to_string(params.max), reliable_ ? "1" : "0"});
  std::vector<FetchedJob> jobs;
  auto& items = reply.elements();
  jobs.reserve(items.size() / 2);
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const auto index = static_cast<std::size_t>(items[i].as_integer());
    jobs.push_back({params.queues.at(index - 1), std::move(items[i + 1].text()), 0});
  }
  return jobs;
}

std::vector<FetchedJob> QueueFetcher::wait_brpop(Connection& c, const JobFetchParams& params,
                                                 const std::vector<std::string>& keys) {
  // A stop unblocks the BRPOP at once, so shutdown does not wait out its timeout.
  const std::vector<std::string> ids{client_id_text(c)};
  const std::stop_callback on_stop(params.stop, [&] { unblock(ids); });
  std::vector<std::string_view> argv{"BRPOP"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  const std::string timeout = seconds_text(params.wait);
  argv.push_back(timeout);
  Commands brpop;
  brpop.add(argv);
  Reply reply = std::move(c.execute(brpop, params.wait + c.options().command_timeout).front());
  expect_ok(reply, "BRPOP");
  std::vector<FetchedJob> jobs;
  if (reply.is_array() && reply.elements().size() == 2) {
    jobs.push_back({std::string(keys_.queue_name(reply.elements()[0].text())), std::move(reply.elements()[1].text()),
                    0});
  }
  return jobs;
}

std::vector<FetchedJob> QueueFetcher::wait_blmove(const JobFetchParams& params, const std::vector<std::string>& keys) {
  const std::size_t n = keys.size();
  if (n > fetch_pool_.max_size()) {
    throw ConfigError(fmt::format(
        "errand: redis: reliable fetch waits on each of {} queues with a connection of its own, but the fetch pool "
        "has {}; raise fetch_pool_size (fetch_pool_size= in the URL, or service.sidekiq.redis.fetch-pool."
        "max-connections) to at least {}",
        n, fetch_pool_.max_size(), n));
  }
  std::vector<Pool::Lease> leases;
  std::vector<std::string> ids;
  leases.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    leases.push_back(fetch_pool_.acquire());
    ids.push_back(client_id_text(*leases.back()));
  }
  const std::string in_progress = keys_.in_progress(params.owner);
  const std::string timeout = seconds_text(params.wait);
  const auto command_timeout = leases.front()->options().command_timeout;
  const std::stop_callback on_stop(params.stop, [&] { unblock(ids); });
  for (std::size_t i = 0; i < n; ++i) {
    Commands blmove;
    blmove.add({"BLMOVE", keys[i], in_progress, "RIGHT", "LEFT", timeout});
    leases[i]->send(blmove, command_timeout);
  }
  if (n > 1) {
    // Wait for the first reply, then end the other waits.
    std::vector<pollfd> fds(n);
    for (std::size_t i = 0; i < n; ++i) fds[i] = {leases[i]->native_handle(), POLLIN, 0};
    const auto limit = static_cast<int>((params.wait + command_timeout).count());
    if (::poll(fds.data(), fds.size(), limit) > 0) {
      std::vector<std::string> still_blocked;
      for (std::size_t i = 0; i < n; ++i) {
        if ((fds[i].revents & POLLIN) == 0) still_blocked.push_back(ids[i]);
      }
      unblock(still_blocked);
    }
  }
  // Every reply is read, so that every job moved is returned. A job moved on a
  // connection that then fails stays in the in-progress list, and is rescued when this
  // process stops (see docs/reliability.md).
  std::vector<FetchedJob> jobs;
  std::exception_ptr failure;
  for (std::size_t i = 0; i < n; ++i) {
    try {
      Reply reply = std::move(leases[i]->receive(1, params.wait + command_timeout).front());
      expect_ok(reply, "BLMOVE");
      if (reply.type() == Reply::Type::string) jobs.push_back({params.queues[i], std::move(reply.text()), 0});
    } catch (const std::exception&) {
      failure = std::current_exception();
    }
  }
  if (jobs.empty() && failure) std::rethrow_exception(failure);
  return jobs;
}

void QueueFetcher::unblock(const std::vector<std::string>& client_ids) {
  Commands commands;
  for (const auto& id : client_ids) {
    if (!id.empty()) commands.add({"CLIENT", "UNBLOCK", id});
  }
  if (commands.empty()) return;  // CLIENT refused: the waits end by their timeout
  try {
    pool_.with([&](Connection& c) { (void)c.execute(commands); });
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the waits then end by their timeout
  }
}

}  // namespace errand::redis
