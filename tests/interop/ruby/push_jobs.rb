# Pushes jobs with Ruby's Sidekiq client, as a Rails app would. Prints {class => jid}.
# Usage: REDIS_URL=redis://... ruby push_jobs.rb
require "sidekiq"
require "json"

Sidekiq.configure_client { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }
Sidekiq.logger.level = Logger::WARN

module Interop
  module Nested
    class EchoWorker
      include Sidekiq::Worker
      sidekiq_options queue: "interop"
    end
  end
end

class ReportWorker
  include Sidekiq::Worker
end

jids = {
  "echo" => Interop::Nested::EchoWorker.perform_async(
    42, "héllo \"world\" \\ / ✓", 19.99, true, nil, [1, 2, 3], { "nested" => { "k" => [false, 1.5] } }
  ),
  "report" => ReportWorker.perform_async({ "user_guid" => "u-1", "year" => 2026, "extra" => "ignored" }),
  "big" => ReportWorker.set(queue: "other").perform_async({ "user_guid" => "big", "year" => 2**31 - 1 }),
}
puts JSON.generate(jids)
