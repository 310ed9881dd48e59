# Workers for a real `sidekiq` process in the interop tests. Each records what it
# received in the list interop:results, for the C++ side to check.
require "sidekiq"
require "json"

Sidekiq.configure_server { |config| config.redis = { url: ENV.fetch("REDIS_URL") } }

module Interop
  class RubyEchoWorker
    include Sidekiq::Worker

    def perform(*args)
      Sidekiq.redis do |redis|
        redis.rpush("interop:results", JSON.generate({ "class" => self.class.name, "jid" => jid, "args" => args }))
      end
    end
  end
end
