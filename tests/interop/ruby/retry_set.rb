# Acts on every entry of the retry set through Sidekiq's API, as the Web UI does.
#   ruby retry_set.rb make_due    # reschedule each retry to a second ago
#   ruby retry_set.rb retry_now   # "Retry now": push each one back onto its queue
# Prints the number of entries acted on.
require "sidekiq"
require "sidekiq/api"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
Sidekiq.logger.level = Logger::WARN

entries = Sidekiq::RetrySet.new.to_a
case ARGV.fetch(0)
when "make_due" then entries.each { |entry| entry.reschedule(Time.now - 1) }
when "retry_now" then entries.each(&:retry)
else abort "unknown action #{ARGV[0]}"
end
puts entries.size
