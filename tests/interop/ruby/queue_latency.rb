# Prints Sidekiq::Queue#latency (seconds) of the queue named by the first argument:
# how long its oldest job has waited, from its `enqueued_at`.
# Usage: REDIS_URL=redis://... ruby queue_latency.rb QUEUE
require "sidekiq"
require "sidekiq/api"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
puts Sidekiq::Queue.new(ARGV.fetch(0)).latency
