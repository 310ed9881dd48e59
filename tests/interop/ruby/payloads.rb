# Pushes the same calls the C++ side makes, with Ruby's client, and prints the raw
# payloads Ruby stored: {"immediate": <queue entry>, "scheduled": [<member>, <score>]}.
require "sidekiq"
require "json"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }

class HardWorker
  include Sidekiq::Worker
  sidekiq_options queue: "critical", retry: 5, backtrace: true, tags: ["billing"]
end

class PlainWorker
  include Sidekiq::Worker
end

args = [1, "x", { "a" => [1.5, nil, true] }]
HardWorker.perform_async(*args)
PlainWorker.perform_in(3600, *args)
PlainWorker.perform_async(*args)

Sidekiq.redis do |redis|
  puts JSON.generate({
    "options" => redis.lrange("queue:critical", 0, -1).first,
    "plain" => redis.lrange("queue:default", 0, -1).first,
    "scheduled" => redis.zrange("schedule", 0, -1, with_scores: true).first,
  })
end
