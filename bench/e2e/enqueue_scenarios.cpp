// enqueue_single and enqueue_bulk: how fast clients put no-op jobs on a queue.
#include "scenarios.hpp"
#include "store_admin.hpp"
#include "window.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace errand::bench {

namespace {

/// Fails the run unless every job enqueued is waiting in "default".
void check_queued(Store& store, std::int64_t jobs) {
  const std::int64_t queued = store.admin()->queue_size({.queue = "default"});
  if (queued != jobs) {
    throw std::runtime_error("errand_bench: enqueued " + std::to_string(jobs) + " jobs but queue \"default\" holds " +
                             std::to_string(queued));
  }
}

}  // namespace

json::array typical_args() {
  return json::array{1234, "bob@example.com", json::object{{"plan", "pro"}, {"amount", 19.99}}};
}

std::vector<Job> noop_jobs(std::size_t count, std::string_view queue) {
  std::vector<Job> jobs;
  jobs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    json::object fields;
    fields["class"] = noop_class;
    fields["queue"] = queue;
    fields["args"] = typical_args();
    jobs.emplace_back(std::move(fields));
  }
  return jobs;
}

void preload(const Client& client, std::int64_t jobs, std::size_t bulk_size) {
  for (std::int64_t done = 0; done < jobs;) {
    const auto count = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(bulk_size), jobs - done));
    (void)client.push_bulk(noop_jobs(count, "default"));
    done += static_cast<std::int64_t>(count);
  }
}

void run_split(int threads, std::int64_t items, const std::function<void(int, std::int64_t, std::int64_t)>& work) {
  if (threads <= 1) {
    work(0, 0, items);
    return;
  }
  std::mutex mutex;
  std::exception_ptr error;
  std::vector<std::thread> pool;
  const std::int64_t share = items / threads;
  const std::int64_t extra = items % threads;
  std::int64_t first = 0;
  for (int t = 0; t < threads; ++t) {
    const std::int64_t count = share + (t < extra ? 1 : 0);
    pool.emplace_back([&, t, first, count] {
      try {
        work(t, first, count);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
      }
    });
    first += count;
  }
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

ResultRow run_enqueue_single(const BenchOptions& options) {
  ResultRow row;
  std::optional<Window> window;
  {
    const Client client{open_store(options.url, options.pool)};
    window.emplace(options);
    run_split(options.concurrency, options.jobs, [&](int, std::int64_t first, std::int64_t count) {
      for (std::int64_t i = first; i < first + count; ++i) {
        (void)client.enqueue_raw(noop_class, "default", typical_args());
      }
    });
    window->stop();
    check_queued(client.store(), options.jobs);
  }  // closes the store: Postgres backends publish their counters when they exit
  row.note("threads", std::to_string(options.concurrency));
  window->fill(row, options.jobs);
  return row;
}

ResultRow run_enqueue_bulk(const BenchOptions& options) {
  ResultRow row;
  const auto bulk = static_cast<std::int64_t>(options.bulk_size);
  const auto batches = (options.jobs + bulk - 1) / bulk;
  std::optional<Window> window;
  {
    const Client client{open_store(options.url, options.pool)};
    // Build the batches before the clock starts: this measures the push, not the building.
    std::vector<std::vector<Job>> prepared;
    for (std::int64_t b = 0; b < batches; ++b) {
      const std::int64_t first = b * bulk;
      prepared.push_back(noop_jobs(static_cast<std::size_t>(std::min(bulk, options.jobs - first)), "default"));
    }
    window.emplace(options);
    run_split(options.concurrency, batches, [&](int, std::int64_t first, std::int64_t count) {
      for (std::int64_t b = first; b < first + count; ++b) {
        (void)client.push_bulk(std::move(prepared[static_cast<std::size_t>(b)]));
      }
    });
    window->stop();
    check_queued(client.store(), options.jobs);
  }  // closes the store: Postgres backends publish their counters when they exit
  row.note("threads", std::to_string(options.concurrency));
  row.note("bulk_size", std::to_string(options.bulk_size));
  window->fill(row, options.jobs);
  return row;
}

}  // namespace errand::bench
