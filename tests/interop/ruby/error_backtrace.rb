# Prints the backtrace of the first retry as Ruby's API decodes it (the Web UI's view).
require "sidekiq"
require "sidekiq/api"
require "json"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
entry = Sidekiq::RetrySet.new.first
puts JSON.generate({ "error_backtrace" => entry.error_backtrace, "error_class" => entry["error_class"] })
