# Reads errand's Redis data through Sidekiq's own API (what the Web UI shows) and prints
# it as one JSON object: processes, busy jobs, stats, history and the three job sets.
# Usage: REDIS_URL=redis://... ruby api_report.rb
require "sidekiq"
require "sidekiq/api"
require "json"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
Sidekiq.logger.level = Logger::WARN

def entries(set)
  set.map do |entry|
    {
      "jid" => entry.jid, "klass" => entry.klass, "args" => entry.args, "queue" => entry.queue,
      "at" => entry.at.to_f, "error_class" => entry["error_class"], "error_message" => entry["error_message"],
      "retry_count" => entry["retry_count"], "error?" => entry.error?
    }
  end
end

processes = Sidekiq::ProcessSet.new.map do |process|
  {
    "identity" => process.identity, "hostname" => process["hostname"], "pid" => process["pid"],
    "concurrency" => process["concurrency"], "queues" => process.queues, "tag" => process.tag,
    "labels" => process.labels, "busy" => process["busy"], "quiet" => process["quiet"],
    "stopping?" => process.stopping?, "beat" => process["beat"], "started_at" => process["started_at"]
  }
end

work = Sidekiq::Workers.new.map do |process_id, thread_id, job|
  { "process" => process_id, "thread" => thread_id, "queue" => job["queue"], "run_at" => job["run_at"],
    "payload" => job["payload"] }
end

stats = Sidekiq::Stats.new
history = Sidekiq::Stats::History.new(1)

puts JSON.generate({
  "processes" => processes,
  "work" => work,
  "work_size" => Sidekiq::Workers.new.size,
  "stats" => {
    "processed" => stats.processed, "failed" => stats.failed, "retry_size" => stats.retry_size,
    "scheduled_size" => stats.scheduled_size, "dead_size" => stats.dead_size, "enqueued" => stats.enqueued,
    "processes_size" => stats.processes_size, "workers_size" => stats.workers_size
  },
  "history" => { "processed" => history.processed, "failed" => history.failed },
  "retry" => entries(Sidekiq::RetrySet.new),
  "scheduled" => entries(Sidekiq::ScheduledSet.new),
  "dead" => entries(Sidekiq::DeadSet.new),
})
